"""The shell completion scripts, generated from the click app.

`ocppctl completion SHELL` prints one for a user. For the maintainers of the source tree,

    python -m ocppctl.cli.completion_scripts [DIR]

writes ocppctl.bash, ocppctl.zsh and ocppctl.fish to DIR (default: completions/ of the source
tree; outside one, such as an installed package, a DIR must be given: nothing is written into
site-packages). The scripts call `ocppctl` back with _OCPPCTL_COMPLETE set, so what they
complete always matches the installed version; tests/cli/test_completions.py fails when the
shipped files are stale.
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


def source_completions() -> str | None:
    """completions/ of the source tree this package runs from; None for an installed package."""
    root = os.path.dirname(os.path.dirname(os.path.dirname(os.path.abspath(__file__))))
    folder = os.path.join(root, "completions")
    if os.path.isfile(os.path.join(root, "setup.cfg")) and os.path.isdir(folder):
        return folder
    return None


def main(argv: list[str]) -> int:
    folder = argv[0] if argv else source_completions()
    if folder is None:
        print(
            "ocppctl: error: not in a source tree: give a folder to write to, or print one script "
            "with `ocppctl completion bash|zsh|fish`",
            file=sys.stderr,
        )
        return 2
    os.makedirs(folder, exist_ok=True)
    for shell in SHELLS:
        with open(os.path.join(folder, f"ocppctl.{shell}"), "w", encoding="utf-8") as handle:
            handle.write(script(shell))
    print(f"wrote ocppctl.bash, ocppctl.zsh and ocppctl.fish to {folder}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
