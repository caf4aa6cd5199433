"""The pre-commit hook and the GitHub Action run the gate the way those tools would, on a real repository."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
import yaml

from tests.conftest import copy_seeds, git, init_repo

ROOT = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
SEEDS = ROOT / "seeds"
SEED_004 = "004_764842f75cb87e49"


@pytest.fixture
def repo(tmp_path: Path) -> Path:
    """A corpus repository (the seeds at its top) with one excerpt staged on a branch."""
    root = init_repo(copy_seeds(tmp_path / "repo"))
    text = (SEEDS / f"{SEED_004}.txt").read_text(encoding="utf-8")
    paragraphs = [p for p in text.split("\n\n") if len(p.split()) >= 25][2:5]
    (root / "take.txt").write_text("A short take\n\n" + "\n\n".join(paragraphs) + "\n", encoding="utf-8")
    git(root, "add", "take.txt")
    return root


def _env() -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("GITHUB_", "PROVENANCE_"))}
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def test_pre_commit_hook(repo: Path) -> None:
    (hook,) = yaml.safe_load((ROOT / ".pre-commit-hooks.yaml").read_text(encoding="utf-8"))
    assert hook["id"] == "provenance-check" and hook["language"] == "python"
    assert hook["pass_filenames"] is True and hook["require_serial"] is True
    # pre-commit runs `entry args... staged-files` from the repository's top
    staged = subprocess.run(
        ["git", "diff", "--cached", "--name-only"], cwd=repo, check=True, capture_output=True, text=True
    ).stdout.split()
    files = [f for f in staged if re.search(hook["files"], f)]
    assert files == ["take.txt"]
    command = [*hook["entry"].split(), *hook["args"], *files]
    done = subprocess.run(command, cwd=repo, env=_env(), capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert done.stdout.startswith(f"FAIL take.txt: excerpt of {SEED_004}.txt")


def test_github_action(repo: Path, tmp_path: Path) -> None:
    action = yaml.safe_load((ROOT / "action.yml").read_text(encoding="utf-8"))
    assert action["runs"]["using"] == "composite"
    text = (ROOT / "action.yml").read_text(encoding="utf-8")
    used = set(re.findall(r"inputs\.([a-z][a-z-]*)", text))
    assert used == set(action["inputs"]), "every input used is declared and every declared input is used"
    install = next(s for s in action["runs"]["steps"] if s.get("name") == "Install provenance")
    assert "GITHUB_ACTION_PATH" in install["run"]
    git(repo, "commit", "-q", "-m", "drop")
    step = action["runs"]["steps"][-1]
    summary = tmp_path / "summary.md"
    env = _env() | {
        "PROVENANCE_PATHS": "",
        "PROVENANCE_AGAINST": ".",
        "PROVENANCE_INDEX": "",
        "PROVENANCE_SINCE": "main",
        "PROVENANCE_FORMAT": action["inputs"]["format"]["default"],
        "PROVENANCE_JUNIT": str(tmp_path / "junit.xml"),
        "PROVENANCE_ARGS": "--allow-outlet AP",
        "GITHUB_STEP_SUMMARY": str(summary),
    }
    done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 1, done.stderr
    assert "::error file=take.txt,line=3,title=provenance%3A uncredited::excerpt of" in done.stdout
    assert "| FAIL | `take.txt` | excerpt |" in summary.read_text(encoding="utf-8")
    assert (tmp_path / "junit.xml").is_file()
    # a policy that only fails unreadable files and exact duplicates lets the excerpt pass
    env["PROVENANCE_ARGS"] = "--fail-on rejected,exact"
    done = subprocess.run(["bash", "-c", step["run"]], cwd=repo, env=env, capture_output=True, text=True, check=False)
    assert done.returncode == 0, done.stdout + done.stderr
