"""crates/cli/scripts/install-preflight.sh (used by the GitHub Action and the pre-commit hook),
against release files served by a real HTTP server on loopback: a verified archive is installed,
a tampered one is refused and nothing else is tried, and the install order is PATH, release
binary, wheel, cargo."""

from __future__ import annotations

import functools
import hashlib
import http.server
import io
import os
import platform
import shutil
import stat
import subprocess
import tarfile
import threading
import zipfile
from pathlib import Path
from typing import Iterator, List

import pytest


class Release:
    """A directory of release files, served over HTTP on 127.0.0.1."""

    def __init__(self, root: Path):
        self.root = root
        self.requests: List[str] = []
        release = self

        class Handler(http.server.SimpleHTTPRequestHandler):
            def log_message(self, *args):  # keep pytest's output clean
                pass

            def do_GET(self):
                release.requests.append(self.path)
                super().do_GET()

        handler = functools.partial(Handler, directory=str(root))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()

    def add_archive(self, target: str, binary: bytes, *, zip_: bool = False) -> str:
        exe = "preflight.exe" if zip_ else "preflight"
        name = f"preflight-{target}.{'zip' if zip_ else 'tar.gz'}"
        if zip_:
            buf = io.BytesIO()
            with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as z:
                info = zipfile.ZipInfo(exe)
                info.external_attr = (stat.S_IFREG | 0o755) << 16
                z.writestr(info, binary)
                z.writestr("LICENSE", "Apache-2.0\n")
            (self.root / name).write_bytes(buf.getvalue())
        else:
            with tarfile.open(self.root / name, "w:gz", compresslevel=1) as t:
                for member, data, mode in ((exe, binary, 0o755), ("LICENSE", b"Apache-2.0\n", 0o644)):
                    info = tarfile.TarInfo(member)
                    info.size = len(data)
                    info.mode = mode
                    t.addfile(info, io.BytesIO(data))
        return name

    def write_sums(self, *names: str) -> None:
        lines = []
        for name in names:
            digest = hashlib.sha256((self.root / name).read_bytes()).hexdigest()
            lines.append(f"{digest}  {name}\n")
        (self.root / "SHA256SUMS").write_text("".join(lines))


@pytest.fixture
def release(tmp_path: Path) -> Iterator[Release]:
    root = tmp_path / "release"
    root.mkdir()
    r = Release(root)
    yield r
    r.close()


@pytest.fixture(scope="session")
def real_binary(installed_bin: Path) -> bytes:
    return installed_bin.read_bytes()


@pytest.fixture
def cargo_log(tmp_path: Path) -> Path:
    return tmp_path / "cargo-calls.txt"


@pytest.fixture
def tools(tmp_path: Path, cargo_log: Path, installed_bin: Path) -> Path:
    """A directory put first on PATH: a `cargo` that records its arguments and "installs" the real
    binary (so a test sees whether the script fell back to building from source)."""
    d = tmp_path / "tools"
    d.mkdir()
    cargo = d / "cargo"
    cargo.write_text(
        "#!/bin/sh\n"
        f'echo "$*" >> "{cargo_log}"\n'
        'while [ $# -gt 0 ]; do [ "$1" = --root ] && root="$2"; shift; done\n'
        f'mkdir -p "$root/bin" && cp "{installed_bin}" "$root/bin/preflight"\n'
    )
    cargo.chmod(0o755)
    return d


def native_target(libc: str = "gnu") -> str:
    machine = platform.machine()
    arch = {"x86_64": "x86_64", "AMD64": "x86_64", "aarch64": "aarch64", "arm64": "aarch64"}[machine]
    return f"{arch}-unknown-linux-{libc}"


@pytest.fixture
def run(repo: Path, tmp_path: Path, tools: Path, no_preflight_path: str, release: Release):
    script = repo / "crates/cli/scripts/install-preflight.sh"
    dest = tmp_path / "dest"

    def _run(version: str, *, extra_path: str = "", **env: str) -> subprocess.CompletedProcess:
        full_env = dict(os.environ)
        for inherited in ("PREFLIGHT_NO_DOWNLOAD", "PREFLIGHT_VERSION", "PREFLIGHT_TARGET"):
            full_env.pop(inherited, None)
        full_env.update(
            PATH=os.pathsep.join(p for p in (extra_path, str(tools), no_preflight_path) if p),
            PREFLIGHT_DOWNLOAD_URL=release.url,
            PIP_NO_INDEX="1",
            PIP_FIND_LINKS=str(tmp_path / "no-wheels"),
        )
        full_env.update(env)
        (tmp_path / "no-wheels").mkdir(exist_ok=True)
        return subprocess.run(
            ["bash", str(script), str(dest), version],
            env=full_env,
            capture_output=True,
            text=True,
            timeout=600,
        )

    _run.dest = dest
    return _run


def assert_nothing_installed(dest: Path, cargo_log: Path) -> None:
    assert not (dest / "bin" / "preflight").exists()
    assert not (dest / "venv").exists(), "the wheel was tried after a refused archive"
    assert not cargo_log.exists(), "cargo was tried after a refused archive"
    assert not list(dest.glob("download.*")), "the download was left behind"


def version_of(binary: Path) -> str:
    return subprocess.run([binary, "--version"], capture_output=True, text=True, check=True).stdout


def test_a_verified_release_archive_is_installed(run, release, real_binary, crate_version, cargo_log):
    name = release.add_archive(native_target(), real_binary)
    release.write_sums(name)
    out = run(crate_version)
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(run.dest / "bin")
    assert f"verified {name}" in out.stderr
    assert version_of(run.dest / "bin" / "preflight").strip() == f"preflight {crate_version}"
    assert f"/{name}" in release.requests and "/SHA256SUMS" in release.requests
    assert not cargo_log.exists()
    # A second run uses what the first installed: nothing is downloaded again.
    release.requests.clear()
    again = run(crate_version)
    assert again.returncode == 0, again.stderr
    assert again.stdout.strip() == str(run.dest / "bin")
    assert release.requests == []


def test_a_tampered_archive_is_refused_and_nothing_else_is_tried(
    run, release, real_binary, crate_version, cargo_log
):
    name = release.add_archive(native_target(), real_binary)
    release.write_sums(name)
    # The archive is replaced after SHA256SUMS was written: one changed byte in the binary.
    tampered = bytearray(real_binary)
    tampered[len(tampered) // 2] ^= 0xFF
    release.add_archive(native_target(), bytes(tampered))
    out = run(crate_version)
    assert out.returncode == 2, out.stderr
    assert out.stdout == ""
    assert f"refusing {name}: its SHA-256 is" in out.stderr
    assert "tampered" in out.stderr
    assert_nothing_installed(run.dest, cargo_log)


def test_an_archive_without_sha256sums_is_refused(run, release, real_binary, crate_version, cargo_log):
    release.add_archive(native_target(), real_binary)
    out = run(crate_version)
    assert out.returncode == 2, out.stderr
    assert "has no SHA256SUMS" in out.stderr
    assert_nothing_installed(run.dest, cargo_log)


def test_sha256sums_without_a_line_for_the_archive_is_refused(
    run, release, real_binary, crate_version, cargo_log
):
    other = release.add_archive("riscv64gc-unknown-linux-gnu", b"#!/bin/sh\n")
    release.write_sums(other)
    name = release.add_archive(native_target(), real_binary)
    out = run(crate_version)
    assert out.returncode == 2, out.stderr
    assert f"refusing {name}: SHA256SUMS of the release has no line for it" in out.stderr
    assert_nothing_installed(run.dest, cargo_log)


def test_an_archive_of_another_version_is_refused(run, release, real_binary, cargo_log):
    name = release.add_archive(native_target(), real_binary)
    release.write_sums(name)
    out = run("v9.9.9")
    assert out.returncode == 2, out.stderr
    assert "holds version" in out.stderr and "not 9.9.9" in out.stderr
    assert_nothing_installed(run.dest, cargo_log)


def test_the_static_build_is_taken_where_the_glibc_build_cannot_run(
    run, release, real_binary, crate_version, cargo_log
):
    old_glibc = (
        b"#!/bin/sh\n"
        b"echo \"preflight: /lib/libc.so.6: version 'GLIBC_2.99' not found\" >&2\nexit 1\n"
    )
    gnu = release.add_archive(native_target("gnu"), old_glibc)
    musl = release.add_archive(native_target("musl"), real_binary)
    release.write_sums(gnu, musl)
    out = run(crate_version)
    assert out.returncode == 0, out.stderr
    assert f"the {native_target('gnu')} build does not run here" in out.stderr
    assert f"verified {musl}" in out.stderr
    assert version_of(run.dest / "bin" / "preflight").strip() == f"preflight {crate_version}"
    assert not cargo_log.exists()


def test_a_windows_zip_is_verified_and_unpacked(run, release, real_binary, crate_version):
    # The zip path of the Windows build, on this machine: PREFLIGHT_TARGET picks the archive.
    target = "x86_64-pc-windows-msvc"
    name = release.add_archive(target, real_binary, zip_=True)
    release.write_sums(name)
    out = run(crate_version, PREFLIGHT_TARGET=target)
    assert out.returncode == 0, out.stderr
    assert f"verified {name}" in out.stderr
    assert (run.dest / "bin" / "preflight.exe").is_file()
    # A tampered zip is refused like a tampered tarball.
    shutil.rmtree(run.dest)
    release.add_archive(target, real_binary + b"\0", zip_=True)
    out = run(crate_version, PREFLIGHT_TARGET=target)
    assert out.returncode == 2, out.stderr
    assert f"refusing {name}: its SHA-256 is" in out.stderr


def test_without_a_release_archive_the_wheel_is_installed(
    run, release, wheel, crate_version, cargo_log
):
    out = run(crate_version, PIP_FIND_LINKS=str(wheel.parent))
    assert out.returncode == 0, out.stderr
    assert f"no release archive for {native_target()}" in out.stderr
    assert out.stdout.strip() == str(run.dest / "venv" / "bin")
    assert version_of(run.dest / "venv" / "bin" / "preflight").strip() == f"preflight {crate_version}"
    assert not cargo_log.exists()


def test_without_archive_or_wheel_cargo_builds_it(run, release, repo, crate_version, cargo_log):
    out = run(crate_version)
    assert out.returncode == 0, out.stderr
    assert "no wheel of personalize-preflight==" in out.stderr
    calls = cargo_log.read_text().splitlines()
    assert calls == [f"install --locked --quiet --path {repo}/crates/cli --root {run.dest}"]
    assert out.stdout.strip() == str(run.dest / "bin")


def test_a_preflight_on_path_of_the_wanted_version_is_used(
    run, release, installed_bin, crate_version, cargo_log
):
    out = run(crate_version, extra_path=str(installed_bin.parent))
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == str(installed_bin.parent)
    assert release.requests == []


def test_a_preflight_on_path_of_another_version_is_passed_over(
    run, release, real_binary, crate_version, tmp_path
):
    old = tmp_path / "old"
    old.mkdir()
    (old / "preflight").write_text("#!/bin/sh\necho 'preflight 0.0.1'\n")
    (old / "preflight").chmod(0o755)
    name = release.add_archive(native_target(), real_binary)
    release.write_sums(name)
    out = run(crate_version, extra_path=str(old))
    assert out.returncode == 0, out.stderr
    assert f"is version 0.0.1, not {crate_version}" in out.stderr
    assert out.stdout.strip() == str(run.dest / "bin")


def test_no_version_means_this_checkouts_version(run, release, crate_version, cargo_log):
    # An archive of another version is refused: with no VERSION the script wants this
    # checkout's (crates/cli/Cargo.toml), not whatever the release holds.
    name = release.add_archive(native_target(), b"#!/bin/sh\necho 'preflight 9.9.9'\n")
    release.write_sums(name)
    out = run("")
    assert out.returncode == 2, out.stderr
    assert f"holds version 9.9.9, not {crate_version}" in out.stderr
    assert_nothing_installed(run.dest, cargo_log)
