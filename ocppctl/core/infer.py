"""Which OCPP version a capture speaks, when neither --ocpp nor its records say.

Each candidate version scores the calls seen so far: an action it knows counts, a payload its
schema accepts counts more. When versions tie (every one of them fails a broken frame, or each
accepts a Heartbeat), the payloads' field names decide between 1.6 and 2.x: `idTag`,
`chargePointVendor`, `connectorId` beside `errorCode` exist only in 1.6; `evseId`, `idToken`,
`chargingStation` only in 2.x. 2.1 is largely a superset of 2.0.1, so a tie between them is read
as 2.0.1, the version in the field; every tie is said in the finding, with what broke it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Protocol

from ocppctl.core.findings import INFO, WARNING, Finding
from ocppctl.core.schemas import SchemaRegistry
from ocppctl.core.versions import V16, V21, V201, Version

if TYPE_CHECKING:
    from ocppctl.core.checker import Item
    from ocppctl.core.summary import Report

INFER_CALLS = 50  # calls buffered before the version is inferred
INFER_ITEMS = 5000  # items buffered at most while inferring


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
        said = _evidence(calls)
        pick = _by_evidence(tied, said)
        if pick is not None:
            names = ", ".join(tied[:-1]) + " and " + tied[-1]
            return Inference(
                pick,
                f"read as OCPP {pick.name}: {names} fit the {_calls(len(calls))} equally ({figures}), "
                f"but the fields {', '.join(said[pick.name == '1.6'])} say {'1.6' if pick is V16 else '2.x'}",
                False,
            )
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


# Field names only one family of versions uses (top-level or nested keys of a call's payload).
_ONLY_16 = frozenset({"idTag", "chargePointVendor", "chargePointModel", "chargeBoxSerialNumber", "meterStart"})
_ONLY_2X = frozenset({"evseId", "idToken", "chargingStation", "evse", "transactionInfo", "connectorStatus"})


def _evidence(calls: list[tuple[str, Any]]) -> tuple[list[str], list[str]]:
    """The field names of the calls that say 2.x, and those that say 1.6 (sorted, each once)."""
    v2: set[str] = set()
    v16: set[str] = set()
    for _, payload in calls:
        _keys(payload, v2, v16, 3)
    return sorted(v2), sorted(v16)


def _keys(value: Any, v2: set[str], v16: set[str], depth: int) -> None:
    if depth == 0 or type(value) is not dict:
        return
    keys = value.keys()
    v2.update(_ONLY_2X.intersection(keys))
    v16.update(_ONLY_16.intersection(keys))
    if "connectorId" in keys and "errorCode" in keys:
        v16.add("connectorId + errorCode")
    for inner in value.values():
        if type(inner) is dict:
            _keys(inner, v2, v16, depth - 1)
        elif type(inner) is list:
            for element in inner[:8]:
                _keys(element, v2, v16, depth - 1)


def _by_evidence(tied: list[str], said: tuple[list[str], list[str]]) -> Version | None:
    """The tied version the field names point to, or None when they say nothing or both."""
    v2, v16 = said
    if "1.6" not in tied:  # 2.0.1 and 2.1 share these fields: they cannot tell them apart
        return None
    if v16 and not v2:
        return V16
    if v2 and not v16:
        if "2.0.1" in tied:
            return V201
        if "2.1" in tied:
            return V21
    return None


def _calls(n: int) -> str:
    return f"{n} call" if n == 1 else f"{n} calls"


class _Host(Protocol):
    """What VersionInference needs of the checker it is mixed into."""

    registry: SchemaRegistry
    report: Report
    pending: list[Item] | None
    held: list[Finding] | None
    named: Version | None
    inferred: Version | None

    def _check(self, item: Item) -> None: ...
    def _replay(self) -> None: ...
    def _add(
        self,
        finding: Finding,
        line: int | None,
        column: int | None,
        station: Any,
        uid: str | None = ...,
        action: str | None = ...,
    ) -> None: ...


class VersionInference:
    """The checker's side of inference (mixed into FrameChecker): frames naming no version are
    held back, with every finding meanwhile, until INFER_CALLS calls (or INFER_ITEMS frames)
    or the end of input; then the version is decided, they are checked, and the findings are
    released in line order."""

    pending: list[Item] | None
    held: list[Finding] | None
    named: Version | None
    inferred: Version | None

    def _decide(self: _Host) -> None:
        """Settle the version from the frames held back, check them, then release every finding
        held meanwhile in line order."""
        try:
            self._replay()
        finally:
            held, self.held = self.held or [], None
            held.sort(key=lambda f: f.line or 0)
            for finding in held:
                self.report.add(finding)

    def _replay(self: _Host) -> None:
        pending = self.pending or []
        self.pending = None
        calls: list[tuple[str, Any]] = []
        types: set[int] = set()
        for item in pending:
            value = item.value
            if type(value) is list and value and type(value[0]) is int:
                types.add(value[0])
                if len(value) == 4 and value[0] in (2, 6) and isinstance(value[2], str):
                    calls.append((value[2], value[3]))
        if self.named is not None:
            self.inferred = self.named
            for item in pending:
                self._check(item)
            return
        if not pending:
            return
        result = infer(self.registry, calls, types)
        self.inferred = result.version
        first = pending[0]
        severity = INFO if result.version is not None else WARNING  # unread by any schema: say so louder
        self._add(Finding(severity, "version", result.reason), first.line, first.column or 1, first.station)
        for item in pending:
            self._check(item)
