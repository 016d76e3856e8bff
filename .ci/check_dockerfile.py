#!/usr/bin/env python3
"""Checks the Dockerfile where no container engine runs (CI).

    check_dockerfile.py [--build ARG=VALUE...]

Without --build: the Dockerfile's shape (a Rust build stage and a distroless run stage on the
same Debian release, a non-root user, `preflight` as the entrypoint). With --build: also runs the
build stage's RUN commands here, in the checkout (its `COPY . .`), with the given build
arguments (.ci/run: PROFILE=dev, reusing its test build), and checks that the binary they make
needs no shared library beyond those of the run image (glibc, libm, libgcc_s). Exits 1 with the
reasons when a check fails. python/tests/test_dockerfile.py tests the checks on bad inputs.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import tempfile
from dataclasses import dataclass, field
from pathlib import Path
from typing import Dict, List, Optional

REPO = Path(__file__).resolve().parents[1]

# Libraries of the run image (distroless cc-debian12: libc6 and libgcc-s1) that a Rust binary
# may link: glibc's own and the unwinder. Anything else (libssl, libz, libstdc++…) must not be
# needed.
RUN_IMAGE_LIBRARIES = {
    "libc.so.6",
    "libm.so.6",
    "libdl.so.2",
    "libpthread.so.0",
    "librt.so.1",
    "libutil.so.1",
    "libgcc_s.so.1",
    "ld-linux-x86-64.so.2",
    "ld-linux-aarch64.so.1",
}
# Debian release of the distroless image name -> of the Rust image tag.
DEBIAN = {"debian12": "bookworm", "debian13": "trixie"}


@dataclass
class Stage:
    image: str
    name: Optional[str]
    instructions: List[tuple] = field(default_factory=list)  # (KEYWORD, argument text)


def parse(text: str) -> List[Stage]:
    """The stages of a Dockerfile: continuation lines joined, comments dropped."""
    lines: List[str] = []
    pending = ""
    for raw in text.splitlines():
        if not pending and raw.lstrip().startswith("#"):
            continue
        if raw.rstrip().endswith("\\"):
            pending += raw.rstrip()[:-1] + " "
            continue
        line = (pending + raw).strip()
        pending = ""
        if line:
            lines.append(line)
    stages: List[Stage] = []
    for line in lines:
        keyword, _, rest = line.partition(" ")
        keyword = keyword.upper()
        if keyword == "FROM":
            words = rest.split()
            words = [w for w in words if not w.startswith("--")]
            name = words[2] if len(words) >= 3 and words[1].lower() == "as" else None
            stages.append(Stage(image=words[0], name=name))
        elif stages:
            stages[-1].instructions.append((keyword, rest.strip()))
        elif keyword != "ARG":
            raise ValueError(f"`{line}` before the first FROM")
    return stages


def shape_errors(text: str, rust_version: str) -> List[str]:
    """What is wrong with the Dockerfile's stages (empty: nothing)."""
    errors: List[str] = []
    try:
        stages = parse(text)
    except ValueError as e:
        return [str(e)]
    if len(stages) < 2:
        return ["expected a build stage and a run stage"]
    build = next((s for s in stages if s.name == "build"), None)
    run = stages[-1]
    if build is None:
        return ["no stage named `build`"]
    m = re.fullmatch(r"(?:docker\.io/(?:library/)?)?rust:(\d+)\.(\d+)(?:\.\d+)?-(\w+)", build.image)
    if not m:
        errors.append(f"the build stage is `{build.image}`, not a Debian rust:X.Y-<release> image")
    else:
        have = (int(m.group(1)), int(m.group(2)))
        need = tuple(int(x) for x in rust_version.split(".")[:2])
        if have < need:
            errors.append(f"the build image has Rust {have[0]}.{have[1]}, the workspace needs {rust_version}")
    r = re.fullmatch(r"gcr\.io/distroless/cc-(debian\d+)(?::[\w.-]+)?(?:@sha256:[0-9a-f]+)?", run.image)
    if not r:
        errors.append(
            f"the run stage is `{run.image}`, not gcr.io/distroless/cc-debianN "
            "(glibc, libgcc_s and CA certificates)"
        )
    elif m and DEBIAN.get(r.group(1)) != m.group(3):
        errors.append(
            f"the build stage is on Debian `{m.group(3)}` and the run stage on `{r.group(1)}`: "
            "the binary may need a newer glibc than the run image has"
        )
    users = [arg for kw, arg in run.instructions if kw == "USER"]
    if not users or users[-1].split(":")[0] in ("root", "0"):
        errors.append("the run stage must switch to a non-root USER")
    entry = [arg for kw, arg in run.instructions if kw == "ENTRYPOINT"]
    if not entry or _exec_form(entry[-1]) != ["/usr/local/bin/preflight"]:
        errors.append('the ENTRYPOINT must be ["/usr/local/bin/preflight"] (exec form)')
    copies = [arg for kw, arg in run.instructions if kw == "COPY"]
    if not any("--from=build" in c and c.split()[-1] == "/usr/local/bin/preflight" for c in copies):
        errors.append("the run stage must COPY the binary from the build stage to /usr/local/bin/preflight")
    if not [arg for kw, arg in build.instructions if kw == "RUN" and "cargo build --locked" in arg]:
        errors.append("the build stage must build with `cargo build --locked`")
    return errors


def _exec_form(arg: str) -> Optional[List[str]]:
    try:
        value = json.loads(arg)
    except ValueError:
        return None
    return value if isinstance(value, list) else None


def needed_libraries(binary: Path) -> List[str]:
    """The NEEDED entries of an ELF binary's dynamic section (readelf -d)."""
    out = subprocess.run(
        ["readelf", "-d", str(binary)], capture_output=True, text=True, check=True
    ).stdout
    return re.findall(r"\(NEEDED\)\s+Shared library: \[([^\]]+)\]", out)


def library_errors(binary: Path) -> List[str]:
    extra = sorted(set(needed_libraries(binary)) - RUN_IMAGE_LIBRARIES)
    if extra:
        return [f"{binary} needs {', '.join(extra)}, which the run image does not have"]
    return []


def build_stage_env(text: str, overrides: Dict[str, str]) -> Dict[str, str]:
    """The build stage's ARGs (defaults, then overrides), as Docker gives them to RUN."""
    build = next(s for s in parse(text) if s.name == "build")
    env: Dict[str, str] = {}
    for kw, arg in build.instructions:
        if kw == "ARG":
            name, _, default = arg.partition("=")
            env[name] = overrides.get(name, default)
    unknown = set(overrides) - set(env)
    if unknown:
        raise SystemExit(f"no ARG {', '.join(sorted(unknown))} in the build stage")
    return env


def run_build_stage(text: str, overrides: Dict[str, str]) -> None:
    """Runs the build stage's RUN commands in the checkout, as `sh -c` like Docker does."""
    build = next(s for s in parse(text) if s.name == "build")
    env = dict(os.environ, **build_stage_env(text, overrides))
    for kw, arg in build.instructions:
        if kw == "COPY" and arg.split() != [".", "."]:
            raise SystemExit(f"the build stage copies `{arg}`: only `COPY . .` is reproduced here")
        if kw == "RUN":
            print(f"+ {arg}", flush=True)
            subprocess.run(["sh", "-c", arg], cwd=REPO, env=env, check=True)


def main(argv: List[str]) -> int:
    text = (REPO / "Dockerfile").read_text()
    cargo = (REPO / "Cargo.toml").read_text()
    rust_version = re.search(r'^rust-version\s*=\s*"([^"]+)"', cargo, re.M).group(1)
    errors = shape_errors(text, rust_version)
    if argv[:1] == ["--build"] and not errors:
        overrides = dict(a.split("=", 1) for a in argv[1:])
        with tempfile.TemporaryDirectory() as out:
            overrides.setdefault("OUT", out)
            run_build_stage(text, overrides)
            binary = Path(overrides["OUT"]) / "preflight"
            libs = needed_libraries(binary)
            print(f"{binary.name} needs: {' '.join(libs)}")
            errors += library_errors(binary)
            version = subprocess.run([binary, "--version"], capture_output=True, text=True)
            if version.returncode != 0:
                errors.append(f"the built binary does not run: {version.stderr.strip()}")
    for e in errors:
        print(f"Dockerfile: {e}", file=sys.stderr)
    if not errors:
        print("Dockerfile: ok")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
