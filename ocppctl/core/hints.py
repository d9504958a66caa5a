"""Near-miss hints: the closest known name to a misspelt one."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache


def closest(name: str, candidates: Iterable[str], cutoff: float = 0.75) -> str | None:
    """The candidate that `name` most likely meant: same letters in another case first,
    then the closest spelling (case-insensitive); None if nothing is close."""
    return _closest(name, tuple(candidates), cutoff)


@lru_cache(maxsize=4096)  # the same misspelling recurs across a capture: work it out once
def _closest(name: str, options: tuple[str, ...], cutoff: float) -> str | None:
    import difflib  # only when a finding needs a hint

    lowered = name.lower()
    for option in options:
        if option.lower() == lowered:
            return option
    by_lower = {option.lower(): option for option in options}
    match = difflib.get_close_matches(lowered, list(by_lower), n=1, cutoff=cutoff)
    return by_lower[match[0]] if match else None


def listing(values: Iterable[object], limit: int = 12) -> str:
    """A short comma list of values, elided after `limit`."""
    items = [str(v) for v in values]
    if len(items) > limit:
        return ", ".join(items[:limit]) + f", … ({len(items) - limit} more)"
    return ", ".join(items)
