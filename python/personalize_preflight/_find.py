"""Where pip put the `preflight` binary that came with this package."""

from __future__ import annotations

import os
import sys
import sysconfig

__all__ = ["find_preflight_bin"]


def _exe() -> str:
    return "preflight" + (sysconfig.get_config_var("EXE") or "")


def _user_scheme() -> str:
    if sys.version_info >= (3, 10):
        return sysconfig.get_preferred_scheme("user")
    if os.name == "nt":
        return "nt_user"
    if sys.platform == "darwin" and getattr(sys, "_framework", None):
        return "osx_framework_user"
    return "posix_user"


def _candidates() -> list[str]:
    exe = _exe()
    # A wheel's scripts go to the scripts directory of the scheme it was installed with: the
    # environment's (a venv, the system), the user's (`pip install --user`), or next to the
    # package's parent (`pip install --target DIR` puts them in DIR/bin).
    dirs = [sysconfig.get_path("scripts")]
    try:
        dirs.append(sysconfig.get_path("scripts", scheme=_user_scheme()))
    except KeyError:
        pass
    package_parent = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    dirs.append(os.path.join(package_parent, "bin"))
    # `pip install --prefix P`: P/lib/pythonX.Y/site-packages/personalize_preflight -> P/bin.
    prefix = os.path.dirname(os.path.dirname(os.path.dirname(package_parent)))
    dirs.append(os.path.join(prefix, "Scripts" if os.name == "nt" else "bin"))
    return [os.path.join(d, exe) for d in dirs if d]


def find_preflight_bin() -> str:
    """Return the path of the `preflight` binary installed with this package.

    Raises `FileNotFoundError` (naming the places searched) when the package was installed
    without its binary, for example copied in by hand.
    """
    tried = []
    for path in _candidates():
        if os.path.isfile(path) and os.access(path, os.X_OK):
            return path
        tried.append(path)
    raise FileNotFoundError(
        "the preflight binary of the personalize-preflight package is not installed; looked at "
        + ", ".join(tried)
        + " (reinstall it: pip install --force-reinstall personalize-preflight)"
    )
