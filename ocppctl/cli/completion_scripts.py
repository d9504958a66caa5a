"""The shell completion scripts in completions/, generated from the click app.

    python -m ocppctl.cli.completion_scripts [DIR]

writes ocppctl.bash, ocppctl.zsh and ocppctl.fish (default DIR: completions/ of the source
tree). The scripts call `ocppctl` back with _OCPPCTL_COMPLETE set, so what they complete
(commands, options, action names of the --ocpp on the line, files) always matches the
installed version; tests/cli/test_completions.py fails when the shipped files are stale.
"""

from __future__ import annotations

import os
import sys

SHELLS = ("bash", "zsh", "fish")
VARIABLE = "_OCPPCTL_COMPLETE"


def script(shell: str) -> str:
    """The completion script for one shell, as click writes it for this app."""
    from click.shell_completion import get_completion_class

    from ocppctl.cli.main import cli

    cls = get_completion_class(shell)
    if cls is None:
        raise ValueError(f"no completion for {shell}")
    return str(cls(cli, {}, "ocppctl", VARIABLE).source())


def main(argv: list[str]) -> int:
    here = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = argv[0] if argv else os.path.join(here, "completions")
    os.makedirs(folder, exist_ok=True)
    for shell in SHELLS:
        with open(os.path.join(folder, f"ocppctl.{shell}"), "w", encoding="utf-8") as handle:
            handle.write(script(shell))
    print(f"wrote ocppctl.bash, ocppctl.zsh and ocppctl.fish to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
