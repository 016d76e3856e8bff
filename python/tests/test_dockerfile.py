"""The checks of .ci/check_dockerfile.py (which .ci/run runs on the real Dockerfile, building its
binary): each one rejects what it must."""

from __future__ import annotations

import importlib.util
import shutil
import sys
from pathlib import Path

import pytest


@pytest.fixture(scope="module")
def check(repo: Path):
    spec = importlib.util.spec_from_file_location("check_dockerfile", repo / ".ci/check_dockerfile.py")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up there
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def dockerfile(repo: Path) -> str:
    return (repo / "Dockerfile").read_text()


def test_the_dockerfile_passes(check, dockerfile):
    assert check.shape_errors(dockerfile, "1.94") == []


def test_the_build_args_reach_the_run_commands(check, dockerfile):
    env = check.build_stage_env(dockerfile, {"PROFILE": "dev", "FEATURES": "test-features"})
    assert env == {"PROFILE": "dev", "FEATURES": "test-features", "OUT": "/out"}
    assert check.build_stage_env(dockerfile, {})["PROFILE"] == "release"


@pytest.mark.parametrize(
    "old, new, reason",
    [
        ("FROM rust:1.95-bookworm AS build", "FROM rust:1.95-alpine AS build", "Debian"),
        ("FROM rust:1.95-bookworm AS build", "FROM rust:1.80-bookworm AS build", "needs 1.94"),
        ("FROM rust:1.95-bookworm AS build", "FROM rust:1.95-trixie AS build", "newer glibc"),
        ("gcr.io/distroless/cc-debian12:nonroot", "gcr.io/distroless/static-debian12:nonroot", "glibc"),
        ("USER nonroot", "USER root", "non-root"),
        ("USER nonroot", "", "non-root"),
        ('ENTRYPOINT ["/usr/local/bin/preflight"]', "ENTRYPOINT /usr/local/bin/preflight", "exec form"),
        ("cargo build --locked", "cargo build", "--locked"),
        ("COPY --from=build ${OUT}/preflight", "COPY preflight", "COPY the binary"),
    ],
)
def test_a_bad_dockerfile_is_rejected(check, dockerfile, old, new, reason):
    assert old in dockerfile
    errors = check.shape_errors(dockerfile.replace(old, new), "1.94")
    assert any(reason in e for e in errors), errors


def test_a_binary_needing_more_than_glibc_is_rejected(check):
    # curl (which install-preflight.sh needs, so it is here) links libcurl and libz.
    curl = shutil.which("curl")
    assert curl, "curl is not installed"
    libs = check.needed_libraries(Path(curl))
    assert "libcurl.so.4" in libs
    errors = check.library_errors(Path(curl))
    assert len(errors) == 1 and "libcurl.so.4" in errors[0], errors


def test_the_installed_preflight_needs_only_the_run_images_libraries(check, installed_bin: Path):
    libs = check.needed_libraries(installed_bin)
    assert "libc.so.6" in libs
    assert check.library_errors(installed_bin) == []
