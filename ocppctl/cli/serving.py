"""Long-running commands (listen, sim station): run until SIGTERM (exit 0) or Ctrl-C (130), and
end even when stopping hangs (a station that stopped reading, a terminal nobody reads)."""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import sys
import threading
from collections.abc import Awaitable, Callable

from ocppctl.cli.status import ExitCode

GRACE = 5.0  # seconds from the first signal to a forced end
LAST_GRACE = 1.0  # seconds a forced end may take before the process just exits


def run_until_stopped(
    serve: Callable[[asyncio.Event], Awaitable[None]],
    on_exit: Callable[[], None] | None = None,
    grace: float = GRACE,
) -> int:
    """Run `serve(stop)` until it returns; SIGTERM and SIGINT set `stop` and give the exit code
    (0, 130). A second signal, or `grace` seconds after the first, forces the end: `serve` is
    cancelled, and if that does not end it within LAST_GRACE seconds, `on_exit` runs (it closes
    the record: records are flushed one by one, so nothing on the wire is lost) and the process
    exits with that code, whatever is still stuck. `on_exit` is also for the caller's own
    `finally` to call: it must be safe to call twice."""
    stopped_by: list[int] = []
    forced: list[bool] = []
    timers: list[threading.Timer] = []

    async def main() -> None:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        task = asyncio.current_task()

        def force() -> None:
            if forced:
                return
            forced.append(True)
            if task is not None:
                task.cancel()
            timers.append(_exit_later(LAST_GRACE, stopped_by[0], on_exit))

        def stop_with(code: int) -> None:
            if stopped_by:  # the second signal: no more waiting
                force()
                return
            stopped_by.append(code)
            stop.set()
            loop.call_later(grace, force)
            timers.append(_exit_later(grace + LAST_GRACE, code, on_exit))  # a blocked loop cannot force()

        for signum, code in ((signal.SIGINT, int(ExitCode.INTERRUPTED)), (signal.SIGTERM, 0)):
            # not the main thread, or no signals here: Ctrl-C raises KeyboardInterrupt instead
            with contextlib.suppress(NotImplementedError, RuntimeError, ValueError):
                loop.add_signal_handler(signum, stop_with, code)
        try:
            await serve(stop)
        except asyncio.CancelledError:
            if not forced:
                raise

    try:
        asyncio.run(main())
    finally:
        for timer in timers:  # it ended in time
            timer.cancel()
    return stopped_by[0] if stopped_by else 0


def _exit_later(delay: float, code: int, on_exit: Callable[[], None] | None) -> threading.Timer:
    """In `delay` seconds, from a thread (it works while the event loop is blocked): `on_exit`,
    then the end of the process with `code`; unless the timer returned is cancelled first."""

    def end() -> None:
        if on_exit is not None:
            with contextlib.suppress(Exception):
                on_exit()
        with contextlib.suppress(Exception):
            sys.stderr.write("ocppctl: stopping took too long: exiting\n")
            sys.stderr.flush()
        os._exit(code)

    timer = threading.Timer(delay, end)
    timer.daemon = True
    timer.start()
    return timer
