"""A built package carries every data file the code reads (definitions, holidays, catalogue
and consolidation data, templates, translations), so an installed wheel works."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

from tests.conftest import REPO


def _data_files(root: Path) -> set[str]:
    return {str(p.relative_to(root)) for p in root.rglob("*")
            if p.is_file() and p.suffix not in {".py", ".pyc"} and "__pycache__" not in p.parts
            and not any(part.endswith(".egg-info") for part in p.parts)}


def test_build_py_packages_every_data_file(tmp_path: Path) -> None:
    project = tmp_path / "project"
    project.mkdir()
    for name in ("pyproject.toml", "README.md"):
        shutil.copy(REPO / name, project / name)
    shutil.copytree(REPO / "src", project / "src", ignore=shutil.ignore_patterns("__pycache__", "*.egg-info"))
    out = tmp_path / "out"
    subprocess.run([sys.executable, "-c", "from setuptools import setup; setup()", "-q", "build_py", "-d", str(out)],
                   cwd=project, check=True, capture_output=True)  # noqa: S603 - fixed arguments
    expected = _data_files(project / "src")
    assert {"satupintu/applications/definitions/dukcapil-ktp-el-penggantian.yaml", "satupintu/core/data/holidays.yaml",
            "satupintu/catalog/data/synonyms.yaml", "satupintu/consolidation/data/general_apps.yaml"} <= expected
    assert _data_files(out) == expected
