"""`python -m personalize_preflight ARGS` runs `preflight ARGS` (where the scripts directory is
not on PATH, for example in some notebook kernels)."""

import os
import sys

from ._find import find_preflight_bin


def main() -> None:
    preflight = find_preflight_bin()
    if sys.platform == "win32":
        import subprocess

        sys.exit(subprocess.run([preflight, *sys.argv[1:]]).returncode)
    os.execv(preflight, [preflight, *sys.argv[1:]])


if __name__ == "__main__":
    main()
