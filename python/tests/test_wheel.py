"""The wheel's metadata and contents, and the documented examples (install, Python, the batch job)
run through the command that pip installed."""

from __future__ import annotations

import importlib.metadata as md
import json
import os
import re
import subprocess
import tarfile
import sys
import tomllib
import zipfile
from pathlib import Path

import pytest

DIST = "personalize-preflight"


def cargo_field(repo: Path, name: str) -> str:
    section = (repo / "Cargo.toml").read_text().split("[workspace.package]", 1)[1]
    m = re.search(rf'^{name}\s*=\s*"([^"]+)"', section, re.M)
    assert m, f"no {name} in [workspace.package]"
    return m.group(1)


def test_metadata_matches_the_crate_and_pyproject(repo: Path, crate_version: str):
    meta = md.metadata(DIST)
    pyproject = tomllib.loads((repo / "pyproject.toml").read_text())["project"]
    assert meta["Name"] == DIST
    assert meta["Version"] == crate_version
    assert meta["License-Expression"] == cargo_field(repo, "license") == "Apache-2.0"
    assert meta["Requires-Python"] == ">=3.9"
    assert meta["Summary"] == "Validate Amazon Personalize bulk imports before they run."
    classifiers = meta.get_all("Classifier")
    assert classifiers == pyproject["classifiers"]
    for c in (
        "Programming Language :: Rust",
        "Programming Language :: Python :: 3 :: Only",
        "Operating System :: POSIX :: Linux",
        "Operating System :: MacOS",
        "Operating System :: Microsoft :: Windows",
    ):
        assert c in classifiers
    # PEP 639: a license expression, so no `License ::` classifier beside it.
    assert not [c for c in classifiers if c.startswith("License ::")]
    urls = dict(u.split(", ", 1) for u in meta.get_all("Project-URL"))
    assert urls["Repository"] == cargo_field(repo, "repository")
    files = [str(f) for f in md.files(DIST)]
    assert any(f.endswith(".dist-info/licenses/LICENSE") for f in files), files
    assert not md.requires(DIST), "the wheel needs no Python dependency"


def test_the_binary_reports_the_wheels_version(installed_bin: Path):
    out = subprocess.run([installed_bin, "--version"], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == f"preflight {md.version(DIST)}"


def test_wheel_contents(wheel: Path, crate_version: str):
    assert wheel.name.startswith(f"personalize_preflight-{crate_version}-py3-none-")
    with zipfile.ZipFile(wheel) as z:
        names = z.namelist()
        data = f"personalize_preflight-{crate_version}.data/scripts/preflight"
        assert data in names
        mode = z.getinfo(data).external_attr >> 16
        assert mode & 0o111, f"{data} is not executable ({oct(mode)})"
        for module in ("__init__.py", "__main__.py", "_find.py", "py.typed"):
            assert f"personalize_preflight/{module}" in names
        assert not [n for n in names if "tests/" in n or n.endswith("conftest.py")], names
        wheel_meta = z.read(f"personalize_preflight-{crate_version}.dist-info/WHEEL").decode()
    assert "Root-Is-Purelib: false" in wheel_meta
    assert re.search(r"^Tag: py3-none-\S+$", wheel_meta, re.M), wheel_meta


def section(repo: Path, page: str, heading: str) -> str:
    """The text under a `## heading` of a markdown page, up to the next `## ` (or the end)."""
    text = (repo / page).read_text()
    m = re.search(rf"^## {re.escape(heading)}[^\n]*\n(.*?)(?=^## |\Z)", text, re.M | re.S)
    assert m, f"{page} has no `## {heading}` section"
    return m.group(1)


def install_section(repo: Path) -> str:
    return section(repo, "README.md", "Install")


def test_the_readme_install_section_leads_with_pip_and_the_release_binaries(repo: Path):
    section = install_section(repo)
    first_block = re.search(r"```sh\n(.*?)```", section, re.S)
    assert first_block, section
    assert first_block.group(1).lstrip().startswith("pip install personalize-preflight")
    assert "SHA256SUMS" in section


def test_the_readme_install_example_runs_through_the_installed_command(
    repo: Path, venv_bin: Path, crate_version: str
):
    text = install_section(repo) + (repo / "docs/install.md").read_text()
    blocks = re.findall(r"```sh\n(.*?)```", text, re.S)
    commands = [
        line.split("  #")[0].strip()
        for block in blocks
        for line in block.splitlines()
        if line.startswith("preflight ")
    ]
    assert any(c.startswith("preflight validate") for c in commands), commands
    env = dict(os.environ, PATH=f"{venv_bin}{os.pathsep}{os.environ['PATH']}", NO_COLOR="1")
    for command in commands:
        out = subprocess.run(
            ["bash", "-c", command], cwd=repo, env=env, capture_output=True, text=True
        )
        if command == "preflight --version":
            assert out.returncode == 0, out.stderr
            assert out.stdout.strip() == f"preflight {crate_version}"
        elif command.startswith("preflight validate"):
            # The bundled example has errors on purpose (the README says it exits 1).
            assert out.returncode == 1, out.stderr
            assert "Found 6 errors, 3 warnings." in out.stdout, out.stdout
            assert "PF215" in out.stdout
        else:
            pytest.fail(f"the test does not know what `{command}` should do")


def test_the_python_example_runs(repo: Path):
    block = re.search(r"```python\n(.*?)```", section(repo, "docs/install.md", "From Python"), re.S)
    assert block, "no python example in docs/install.md's From Python section"
    out = subprocess.run(
        [sys.executable, "-c", block.group(1)], cwd=repo, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stderr
    lines = out.stdout.splitlines()
    assert lines[0] == "6"
    assert lines[1].startswith("testdata/example/interactions.csv:6: PF215 `TIMESTAMP`"), lines
    assert len(lines) == 4, lines
    assert lines[3] == "2 error: failed to read schema `missing.json`"


def test_the_batch_job_definition_uses_real_flags(repo: Path, installed_bin: Path):
    page = (repo / "docs/batch.md").read_text()
    job = json.loads(re.search(r"```json\n(.*?)```", page, re.S).group(1))
    command = job["containerProperties"]["command"]
    assert command[0] == "run"
    help_text = subprocess.run(
        [installed_bin, command[0], "--help"], capture_output=True, text=True, check=True
    ).stdout
    flags = [word for word in command if word.startswith("--")]
    assert flags
    for flag in flags:
        assert re.search(rf"(^|\s){re.escape(flag)}[\s=]", help_text), f"`preflight run` has no {flag}"
    # The parameter the command refers to is declared, and the volume it reads is mounted.
    assert "Ref::data" in command and "data" in job["parameters"]
    mounts = job["containerProperties"]["mountPoints"]
    assert mounts[0]["containerPath"] == "/data"
    dockerfile = (repo / "Dockerfile").read_text()
    assert "WORKDIR /data" in dockerfile  # relative paths in the command resolve under /data


def test_the_sdist_holds_every_file_the_build_includes(tmp_path: Path):
    # A wheel built from the sdist (pip on a platform without a wheel) compiles the crates in
    # it: every file their sources include at compile time must be in it.
    sdist = os.environ.get("PREFLIGHT_SDIST")
    if not sdist:
        pytest.fail("PREFLIGHT_SDIST is not set: run these tests through .ci/packaging")
    with tarfile.open(sdist) as t:
        t.extractall(tmp_path, filter="data")
    (root,) = tmp_path.iterdir()
    assert (root / "pyproject.toml").is_file() and (root / "Cargo.lock").is_file()
    sources = list((root / "crates").glob("*/src/**/*.rs"))
    assert sources
    included = []
    for source in sources:
        for rel in re.findall(r'include_(?:str|bytes)!\(\s*"([^"]+)"', source.read_text()):
            included.append((source, rel))
            assert (source.parent / rel).resolve().is_file(), f"{source}: {rel} is not in the sdist"
    assert included, "no include_str! found: the test no longer looks where the sources are"
