"""Shared fixtures: paths to the seeds and the evaluation sets, and tiny corpora."""

from __future__ import annotations

import os
import shutil
import subprocess
from pathlib import Path

import pytest
from hypothesis import settings as hypothesis_settings

# CI explores a fixed set of examples (the same on every run, so a landing is never
# blocked by chance); developers' runs keep exploring new ones and keep failures in
# .hypothesis/ to replay them. .ci/run selects the "ci" profile.
hypothesis_settings.register_profile("ci", derandomize=True, print_blob=True)
hypothesis_settings.register_profile("dev")
hypothesis_settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "dev"))

ROOT = Path(__file__).resolve().parent.parent
SEEDS = ROOT / "seeds"
EVAL = ROOT.parent / "shared" / "eval"


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", help="rewrite the golden reports in reports/")


@pytest.fixture(scope="session")
def seeds_dir() -> Path:
    return SEEDS


@pytest.fixture(scope="session")
def seed_analysis():  # type: ignore[no-untyped-def]
    from provenance import analyze

    return analyze([SEEDS])


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


def copy_seeds(folder: Path) -> Path:
    """Copy the seeds into ``folder`` (made if missing) and return it."""
    folder.mkdir(parents=True, exist_ok=True)
    for seed in sorted(SEEDS.glob("*.txt")):
        shutil.copy(seed, folder / seed.name)
    return folder


def git(repo: Path, *args: str) -> str:
    """Run git in ``repo``; its output."""
    return subprocess.run(["git", *args], cwd=repo, check=True, capture_output=True, text=True).stdout


def init_repo(root: Path, branch: str = "drop") -> Path:
    """Make ``root`` a git repository: everything committed on ``main``, then a new ``branch`` checked out."""
    (root / ".gitignore").write_text(".provenance/\n", encoding="utf-8")
    git(root, "init", "-q", "-b", "main")
    git(root, "config", "user.name", "Gate Test")
    git(root, "config", "user.email", "gate@example.invalid")
    git(root, "add", "-A")
    git(root, "commit", "-q", "-m", "corpus")
    git(root, "checkout", "-q", "-b", branch)
    return root
