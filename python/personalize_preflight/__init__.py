"""Check Amazon Personalize bulk-import data from Python with `preflight`.

The functions run the `preflight` binary installed with this package and return its JSON
report (the contract described in docs/formats.md) as a dict. There is no
second implementation: every answer comes from the binary.

    >>> import personalize_preflight as pf
    >>> report = pf.validate("data/interactions.csv", dataset_type="interactions")
    >>> report["summary"]["errors"]
    0

A report with findings is a result, not an exception: look at ``report["summary"]`` (the
command's exit code 1 is not raised). When `preflight` cannot run at all (exit code 2: bad
arguments or config, a file it cannot read, a schema that is not JSON, AWS unreachable or no
credentials), `PreflightError` is raised with the tool's own message.
"""

from __future__ import annotations

import json
import os
import subprocess
from typing import Any, Dict, Iterable, List, Mapping, Optional, Sequence, Union

from ._find import find_preflight_bin

__all__ = [
    "PreflightError",
    "find_preflight_bin",
    "insights",
    "plan",
    "validate",
]

try:
    from importlib.metadata import version as _version

    __version__ = _version("personalize-preflight")
except Exception:  # not installed as a distribution (a source checkout)
    __version__ = "unknown"

PathArg = Union[str, "os.PathLike[str]"]
Paths = Union[PathArg, Iterable[PathArg]]


class PreflightError(Exception):
    """`preflight` could not run: it exited with code 2 (or, unexpectedly, another code).

    ``str(error)`` is the tool's message (its ``error:`` line and the ``Caused by:`` chain).

    Attributes:
        message: the tool's message.
        returncode: the exit code (2 when the tool could not run).
        stderr: everything the tool wrote to stderr, warnings included.
        command: the command line that was run.
    """

    def __init__(self, message: str, *, returncode: int, stderr: str, command: List[str]):
        super().__init__(message)
        self.message = message
        self.returncode = returncode
        self.stderr = stderr
        self.command = command


def _paths(paths: Optional[Paths]) -> List[str]:
    if paths is None:
        return []
    if isinstance(paths, (str, os.PathLike)):
        return [os.fspath(paths)]
    return [os.fspath(p) for p in paths]


def _schema_args(
    schema: Optional[PathArg],
    dataset_type: Optional[str],
    domain: Optional[str],
    dataset_arn: Optional[str],
    config: Optional[PathArg],
    no_config: bool,
) -> List[str]:
    out: List[str] = []
    if schema is not None:
        out += ["--schema", os.fspath(schema)]
    if dataset_type is not None:
        out += ["--dataset-type", dataset_type]
    if domain is not None:
        out += ["--domain", domain]
    if dataset_arn is not None:
        out += ["--dataset-arn", dataset_arn]
    if config is not None:
        out += ["--config", os.fspath(config)]
    if no_config:
        out.append("--no-config")
    return out


def _message(stderr: str, returncode: int) -> str:
    lines = stderr.splitlines()
    for i, line in enumerate(lines):
        if line.startswith("error:"):
            return "\n".join(lines[i:]).strip()
    return stderr.strip() or f"preflight exited with code {returncode} and no message"


def _run_json(
    command: str,
    args: List[str],
    paths: List[str],
    *,
    cwd: Optional[PathArg],
    env: Optional[Mapping[str, str]],
    timeout: Optional[float],
) -> Dict[str, Any]:
    argv = [find_preflight_bin(), command, "--format", "json", *args]
    if paths:
        argv += ["--", *paths]
    full_env = None
    if env is not None:
        full_env = dict(os.environ)
        full_env.update(env)
    proc = subprocess.run(
        argv,
        cwd=None if cwd is None else os.fspath(cwd),
        env=full_env,
        stdin=subprocess.DEVNULL,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        timeout=timeout,
        check=False,
    )
    stderr = proc.stderr.decode("utf-8", "replace")
    # 0: no finding at the failing severity; 1: findings. Both print the report.
    if proc.returncode not in (0, 1):
        raise PreflightError(
            _message(stderr, proc.returncode),
            returncode=proc.returncode,
            stderr=stderr,
            command=argv,
        )
    try:
        report = json.loads(proc.stdout)
    except ValueError as e:
        raise PreflightError(
            f"preflight printed no JSON report ({e}); stderr: {stderr.strip()}",
            returncode=proc.returncode,
            stderr=stderr,
            command=argv,
        ) from e
    if not isinstance(report, dict):
        raise PreflightError(
            "preflight printed JSON that is not an object",
            returncode=proc.returncode,
            stderr=stderr,
            command=argv,
        )
    return report


def validate(
    paths: Optional[Paths] = None,
    *,
    schema: Optional[PathArg] = None,
    dataset_type: Optional[str] = None,
    domain: Optional[str] = None,
    dataset_arn: Optional[str] = None,
    config: Optional[PathArg] = None,
    no_config: bool = False,
    args: Sequence[str] = (),
    cwd: Optional[PathArg] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: Optional[float] = None,
) -> Dict[str, Any]:
    """Run ``preflight validate`` and return its JSON report.

    Args:
        paths: CSV files or folders (one path or several). None, with a ``preflight.toml``:
            every dataset it declares.
        schema: a schema file (bare Avro, a CreateSchema body or a DescribeSchema response).
        dataset_type: a built-in schema: interactions, items, users, actions or
            action-interactions.
        domain: ECOMMERCE or VIDEO_ON_DEMAND, for a domain dataset group.
        dataset_arn: fetch the schema of this Personalize dataset.
        config: the config file (default: the ``preflight.toml`` found from ``cwd``).
        no_config: read no config file.
        args: more command-line flags, for example ``["--severity", "PF203=off"]``.
        cwd: the directory to run in.
        env: environment variables added to the current environment (AWS_PROFILE, ...).
        timeout: seconds before the run is killed (``subprocess.TimeoutExpired``).

    Returns:
        The report: ``summary`` (errors, warnings, ...), ``rules``, ``diagnostics`` (each with
        file, line, column, message and help), ``files``.

    Raises:
        PreflightError: the tool could not run (exit code 2).
    """
    flags = _schema_args(schema, dataset_type, domain, dataset_arn, config, no_config)
    return _run_json(
        "validate", flags + list(args), _paths(paths), cwd=cwd, env=env, timeout=timeout
    )


def plan(
    new: Paths,
    *,
    mode: str,
    existing: Optional[Paths] = None,
    schema: Optional[PathArg] = None,
    dataset_type: Optional[str] = None,
    domain: Optional[str] = None,
    dataset_arn: Optional[str] = None,
    config: Optional[PathArg] = None,
    no_config: bool = False,
    args: Sequence[str] = (),
    cwd: Optional[PathArg] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: Optional[float] = None,
) -> Dict[str, Any]:
    """Run ``preflight plan`` and return its JSON report (the validation report with ``plan``).

    Args:
        new: the new data: CSV files or folders.
        mode: ``"full"`` or ``"incremental"``.
        existing: the dataset's current bulk data (files or folders); None for a first import.
        The other arguments are those of `validate`.

    Raises:
        PreflightError: the tool could not run (exit code 2).
    """
    flags = ["--mode", mode]
    for path in _paths(existing):
        flags += ["--existing", path]
    flags += _schema_args(schema, dataset_type, domain, dataset_arn, config, no_config)
    return _run_json("plan", flags + list(args), _paths(new), cwd=cwd, env=env, timeout=timeout)


def insights(
    paths: Optional[Paths] = None,
    *,
    schema: Optional[PathArg] = None,
    dataset_type: Optional[str] = None,
    domain: Optional[str] = None,
    dataset_arn: Optional[str] = None,
    config: Optional[PathArg] = None,
    no_config: bool = False,
    args: Sequence[str] = (),
    cwd: Optional[PathArg] = None,
    env: Optional[Mapping[str, str]] = None,
    timeout: Optional[float] = None,
) -> Dict[str, Any]:
    """Run ``preflight insights`` and return its JSON report (with ``insights``).

    The arguments are those of `validate`.

    Raises:
        PreflightError: the tool could not run (exit code 2).
    """
    flags = _schema_args(schema, dataset_type, domain, dataset_arn, config, no_config)
    return _run_json(
        "insights", flags + list(args), _paths(paths), cwd=cwd, env=env, timeout=timeout
    )
