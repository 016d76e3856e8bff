"""Shared fixtures. These tests check the *installed* wheel: `.ci/packaging` builds it, installs
it into a fresh venv and runs pytest with that venv's Python, with PREFLIGHT_REPO (the checkout)
and PREFLIGHT_WHEEL (the wheel file) set."""

from __future__ import annotations

import os
import re
import shutil
import sys
from pathlib import Path

import pytest

REPO = Path(os.environ.get("PREFLIGHT_REPO", Path(__file__).resolve().parents[2]))


@pytest.fixture(scope="session")
def repo() -> Path:
    return REPO


@pytest.fixture(scope="session")
def crate_version(repo: Path) -> str:
    """The version of the workspace (Cargo.toml), which the wheel must carry."""
    text = (repo / "Cargo.toml").read_text()
    section = text.split("[workspace.package]", 1)[1]
    m = re.search(r'^version\s*=\s*"([^"]+)"', section, re.M)
    assert m, "no version in [workspace.package] of Cargo.toml"
    return m.group(1)


@pytest.fixture(scope="session")
def wheel() -> Path:
    """The wheel file that was installed (PREFLIGHT_WHEEL, set by .ci/packaging)."""
    path = os.environ.get("PREFLIGHT_WHEEL")
    if not path:
        pytest.fail("PREFLIGHT_WHEEL is not set: run these tests through .ci/packaging")
    return Path(path)


@pytest.fixture(scope="session")
def installed_bin() -> Path:
    """The `preflight` binary that pip installed with the wheel."""
    import personalize_preflight

    return Path(personalize_preflight.find_preflight_bin())


@pytest.fixture(scope="session")
def venv_bin() -> Path:
    """The scripts directory of the venv running the tests."""
    return Path(sys.executable).parent


@pytest.fixture
def no_preflight_path(tmp_path: Path) -> str:
    """A PATH with the system tools but no `preflight`."""
    keep = []
    for d in os.environ.get("PATH", "").split(os.pathsep):
        if d and not (Path(d) / "preflight").exists():
            keep.append(d)
    path = os.pathsep.join(keep)
    assert shutil.which("preflight", path=path) is None
    return path
