"""The compiled modules (setup.py, mypyc): their doctests on their source, and stale builds."""

from __future__ import annotations

import ast
import doctest
import importlib.machinery
import importlib.util
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

import provenance
from provenance._compiled import extensions, stale

COMPILED = provenance.compiled()


@pytest.mark.skipif(not COMPILED, reason="no compiled modules: pytest collects every doctest itself")
@pytest.mark.parametrize("name", COMPILED)
def test_doctests_of_a_compiled_module_pass_on_its_source(name: str) -> None:
    _, source = extensions()[name]
    alias = f"_source_of_{name.replace('.', '_')}"
    spec = importlib.util.spec_from_file_location(alias, source)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[alias] = module  # dataclasses look their module up while the class is made
    try:
        spec.loader.exec_module(module)
        failed, _ = doctest.testmod(module, report=True)
    finally:
        del sys.modules[alias]
    assert failed == 0


def test_an_extension_older_than_its_source_is_stale(tmp_path: Path) -> None:
    package = tmp_path / "pkg"
    (package / "sub").mkdir(parents=True)
    suffix = importlib.machinery.EXTENSION_SUFFIXES[0]
    for name in ("a", "sub/b"):  # each built after its source was last written
        (package / f"{name}.py").write_text("")
        (package / f"{name}{suffix}").write_bytes(b"")
        built = (package / f"{name}.py").stat().st_mtime + 1
        os.utime(package / f"{name}{suffix}", (built, built))
    (package / f"c{suffix}").write_bytes(b"")  # no source: not one of ours
    found = extensions(package)
    assert sorted(found) == ["pkg.a", "pkg.sub.b"]
    assert stale(found) == []
    later = (package / "sub" / f"b{suffix}").stat().st_mtime + 1
    os.utime(package / "sub" / "b.py", (later, later))
    assert stale(found) == ["pkg.sub.b"]


def _python(code: str, root: Path) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "PYTHONPATH": str(root)}
    return subprocess.run([sys.executable, "-c", code], cwd=root, env=env, capture_output=True, text=True, check=False)


@pytest.mark.skipif(not COMPILED, reason="no compiled modules to go stale")
def test_a_stale_compilation_runs_the_source_with_a_warning(tmp_path: Path) -> None:
    """An edit after the last build must run the edited source, never the old extension."""
    root = Path(provenance.__file__).parent.parent
    shutil.copytree(root / "provenance", tmp_path / "provenance")
    for library in root.glob("provenance_native__mypyc*"):  # the compiled modules' shared code
        shutil.copy2(library, tmp_path)
    name = COMPILED[0]
    extension, source = extensions(tmp_path / "provenance")[name]
    code = f"import importlib, provenance; print(importlib.import_module({name!r}).__file__, provenance.compiled())"
    os.utime(extension, (1, 1))  # as if built long before the source's last edit
    # Installed (no setup.py beside the package), a source newer than its extension is how
    # pip writes them: the extension runs.
    installed = _python(code, tmp_path)
    assert installed.stdout.split()[0] == str(extension), installed.stderr
    assert not installed.stderr
    for marker in ("setup.py", "pyproject.toml"):  # a source tree
        shutil.copy2(root / marker, tmp_path)
    old = _python(code, tmp_path)
    assert old.returncode == 0, old.stderr
    assert old.stdout.split() == [str(source), "()"]
    assert "compiled modules older than their source" in old.stderr


@pytest.mark.skipif(
    not os.environ.get("PROVENANCE_EXPECT_COMPILED"), reason="set by .ci/run, where the build must compile"
)
def test_the_build_compiled_every_module_setup_names() -> None:
    tree = ast.parse((Path(provenance.__file__).parent.parent / "setup.py").read_text(encoding="utf-8"))
    listed = next(
        ast.literal_eval(node.value)
        for node in tree.body
        if isinstance(node, ast.Assign) and any(getattr(t, "id", "") == "COMPILED" for t in node.targets)
    )
    assert sorted(path.removesuffix(".py").replace("/", ".") for path in listed) == list(COMPILED)
