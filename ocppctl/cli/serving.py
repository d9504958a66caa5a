"""Long-running commands (listen, sim station): run until SIGTERM (exit 0) or Ctrl-C (130)."""

from __future__ import annotations

import asyncio
import contextlib
import signal
from collections.abc import Awaitable, Callable

from ocppctl.cli.status import ExitCode


def run_until_stopped(serve: Callable[[asyncio.Event], Awaitable[None]]) -> int:
    """Run `serve(stop)` until it returns; SIGTERM and SIGINT set `stop` and give the exit code."""
    stopped_by: list[int] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()

        def stop_with(code: int) -> None:
            stopped_by.append(code)
            stop.set()

        for signum, code in ((signal.SIGINT, int(ExitCode.INTERRUPTED)), (signal.SIGTERM, 0)):
            # not the main thread, or no signals here: Ctrl-C raises KeyboardInterrupt instead
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop_with, code)
        await serve(stop)

    asyncio.run(main())
    return stopped_by[0] if stopped_by else 0
