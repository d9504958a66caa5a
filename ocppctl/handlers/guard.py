"""How our simulated peers answer a call they cannot take: a payload that breaks its schema gets
the version's format-violation CALLERROR (as a real peer's RPC framework answers it), and a
handler that fails on an odd payload gets InternalError. A simulated peer answers; it never
falls over."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

from ocppctl.core.findings import ERROR, Finding
from ocppctl.core.versions import Version


def format_violation(version: Version) -> str:
    """The error code for a payload that breaks its schema (1.6 spells it FormationViolation)."""
    return "FormationViolation" if version.name == "1.6" else "FormatViolation"


def guarded(
    version: Version, findings: Sequence[Finding], answer: Callable[..., tuple[str, Any]], *args: Any
) -> tuple[str, Any]:
    """`answer(*args)` for a call whose checks found `findings`; ("error", (code, description))
    when the call breaks its schema or the handler fails on it."""
    broken = next((f for f in findings if f.severity == ERROR and f.code in ("schema", "format")), None)
    if broken is not None:
        where = f" at {broken.path}" if broken.path else ""
        return "error", (format_violation(version), f"{broken.message}{where}"[:255])
    try:
        return answer(*args)
    except (KeyError, IndexError, TypeError, ValueError, AttributeError) as exc:
        return "error", ("InternalError", f"the simulated peer failed on this payload: {type(exc).__name__}")
