"""What the bench scripts share: where outputs go, and the environment of the ocppctl they time."""

from __future__ import annotations

import os
from pathlib import Path

BENCH = Path(__file__).resolve().parent
OUT = BENCH / "out"  # git-ignored
PYCACHE = OUT / "pycache"


def child_env(bytecode_cache: bool = True) -> dict[str, str]:
    """Environment for a timed `ocppctl` child process.

    An installed package ships compiled bytecode; a source tree run with PYTHONDONTWRITEBYTECODE
    (as some sandboxes and CI images set it) recompiles every ocppctl module at each start,
    which would be charged to ocppctl. So by default the children may cache bytecode, under
    bench/out/pycache (PYTHONPYCACHEPREFIX) rather than beside the sources.
    """
    env = dict(os.environ)
    if bytecode_cache:
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        env["PYTHONPYCACHEPREFIX"] = str(PYCACHE)
    return env
