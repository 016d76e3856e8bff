"""The `personalize_preflight` module, as pip installed it from the wheel."""

from __future__ import annotations

import os
import subprocess
import sys
import sysconfig
from pathlib import Path

import pytest

import personalize_preflight as pf


def test_the_module_is_the_installed_one_not_the_source_tree(repo: Path):
    site = Path(sysconfig.get_path("purelib")).resolve()
    assert Path(pf.__file__).resolve().is_relative_to(site), pf.__file__
    assert not Path(pf.__file__).resolve().is_relative_to((repo / "python").resolve())


def test_it_finds_the_binary_pip_installed(installed_bin: Path, venv_bin: Path):
    assert installed_bin == venv_bin / "preflight"
    assert os.access(installed_bin, os.X_OK)


def test_validate_returns_the_report_with_findings(repo: Path):
    report = pf.validate(
        repo / "testdata/example/interactions.csv",
        schema=repo / "testdata/example/schema.json",
        cwd=repo,
    )
    assert report["tool"] == {"name": "preflight", "version": pf.__version__}
    assert report["summary"]["errors"] == 6
    assert report["summary"]["records"] == 1200
    first = report["diagnostics"][0]
    assert first["code"] == "PF215"
    assert first["name"] == "timestamp-in-milliseconds"
    assert first["line"] == 6
    assert first["field"] == "TIMESTAMP"
    assert "divide by 1000" in first["help"]
    codes = {d["code"] for d in report["diagnostics"]}
    assert {"PF006", "PF202", "PF206", "PF207", "PF208", "PF215"} <= codes


def test_validate_of_clean_data_has_no_error(repo: Path):
    report = pf.validate(
        [str(repo / "testdata/example/interactions-clean.csv")],
        dataset_type="interactions",
        no_config=True,
    )
    assert report["summary"]["errors"] == 0
    assert report["schema"]["dataset_type"] == "Interactions"


def test_extra_args_reach_the_binary(repo: Path):
    report = pf.validate(
        repo / "testdata/example/interactions.csv",
        schema=repo / "testdata/example/schema.json",
        args=["--severity", "PF215=off"],
    )
    assert report["summary"]["errors"] == 5
    assert all(d["code"] != "PF215" for d in report["diagnostics"])


def test_plan_returns_the_plan(repo: Path):
    plan_dir = repo / "testdata/plan"
    report = pf.plan(
        plan_dir / "items-new.csv",
        mode="incremental",
        existing=plan_dir / "items-existing.csv",
        schema=plan_dir / "items-schema.json",
    )
    assert report["plan"]["mode"] == "INCREMENTAL"
    assert report["plan"]["dataset_type"] == "Items"
    assert report["plan"]["existing"] is not None


def test_insights_returns_the_insights(repo: Path):
    report = pf.insights(
        repo / "testdata/example/interactions-clean.csv",
        schema=repo / "testdata/example/schema.json",
    )
    assert "insights" in report
    assert report["summary"]["records"] == 1200


def test_a_missing_schema_raises_with_the_tools_message(repo: Path, tmp_path: Path):
    with pytest.raises(pf.PreflightError) as caught:
        pf.validate(
            repo / "testdata/example/interactions.csv",
            schema=tmp_path / "missing.json",
        )
    err = caught.value
    assert err.returncode == 2
    assert str(err).startswith("error: failed to read schema")
    assert "missing.json" in str(err)
    assert "No such file or directory" in str(err)
    assert err.command[0] == pf.find_preflight_bin()
    assert "--format" in err.command and "json" in err.command


def test_a_bad_argument_raises(repo: Path):
    with pytest.raises(pf.PreflightError) as caught:
        pf.plan(repo / "testdata/plan/items-new.csv", mode="sideways", dataset_type="items")
    assert caught.value.returncode == 2
    assert "sideways" in str(caught.value)


def test_a_report_with_findings_is_not_an_exception(repo: Path):
    # Exit code 1 (findings at error level) still returns the report.
    report = pf.validate(
        repo / "testdata/example/interactions.csv",
        schema=repo / "testdata/example/schema.json",
        args=["--fail-on", "error"],
    )
    assert report["summary"]["errors"] > 0


def test_env_is_added_to_the_environment(repo: Path):
    report = pf.validate(
        repo / "testdata/example/interactions.csv",
        schema=repo / "testdata/example/schema.json",
        env={"PREFLIGHT_SEVERITY": "PF215=off"},
    )
    assert report["summary"]["errors"] == 5


def test_python_dash_m_runs_the_binary(crate_version: str):
    out = subprocess.run(
        [sys.executable, "-m", "personalize_preflight", "--version"],
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == f"preflight {crate_version}"


def test_a_package_without_its_binary_says_so(monkeypatch: pytest.MonkeyPatch, tmp_path: Path):
    from personalize_preflight import _find

    monkeypatch.setattr(_find, "_candidates", lambda: [str(tmp_path / "preflight")])
    with pytest.raises(FileNotFoundError, match="reinstall it"):
        pf.find_preflight_bin()
