"""Which OCPP version a capture speaks, when neither --ocpp nor its records say.

Each candidate version scores the calls seen so far: an action it knows counts, a payload its
schema accepts counts more. 2.1 is largely a superset of 2.0.1, so a tie between them is
reported as ambiguous and read as 2.0.1, the version in the field.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V21, V201, Version


@dataclass(frozen=True)
class Inference:
    version: Version | None
    reason: str
    ambiguous: bool


def infer(registry: SchemaRegistry, calls: list[tuple[str, Any]], types: set[int]) -> Inference:
    """Pick a version from (action, payload) samples of CALL/SEND frames and the message types seen."""
    if types & {5, 6}:
        return Inference(V21, "message types 5/6 (CALLRESULTERROR, SEND) exist only in OCPP 2.1", False)
    if not calls:
        return Inference(None, "no CALL frame to tell the version by, so no schema was checked; pass --ocpp", True)
    scores: dict[str, tuple[int, int]] = {}
    for version in (V16, V201, V21):
        known = valid = 0
        for action, payload in calls:
            if action not in version.actions:
                continue
            known += 1
            kind = "send" if action in version.send_actions else "request"
            schema = registry.get(version, action, kind)
            try:
                if schema is not None and schema.is_valid(payload):
                    valid += 1
            except (ValueError, TypeError, OverflowError):
                pass
        scores[version.name] = (valid, known)
    ranked = sorted(scores.items(), key=lambda item: item[1], reverse=True)
    best_name, best = ranked[0]
    if best == (0, 0):
        which = "the call is not" if len(calls) == 1 else f"none of the {len(calls)} calls is"
        return Inference(None, f"{which} a known action, so no schema was checked; pass --ocpp", True)
    figures = ", ".join(f"{name}: {v} valid, {k} known" for name, (v, k) in scores.items())
    tied = [name for name, score in ranked if score == best]
    if len(tied) > 1:
        choice = V201 if "2.0.1" in tied else next(v for v in (V16, V201, V21) if v.name == tied[0])
        names = ", ".join(tied[:-1]) + " and " + tied[-1]
        return Inference(
            choice,
            f"read as OCPP {choice.name}, but {names} fit the {_calls(len(calls))} equally ({figures}); "
            "pass --ocpp to choose",
            True,
        )
    version = next(v for v in (V16, V201, V21) if v.name == best_name)
    return Inference(version, f"read as OCPP {version.name} from {_calls(len(calls))} ({figures})", False)


def _calls(n: int) -> str:
    return f"{n} call" if n == 1 else f"{n} calls"
