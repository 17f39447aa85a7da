"""Clinical features that tell a stabilise-first presentation from its look-alikes.

The probes find these presentations by meaning, and meaning is near for their look-alikes: nightmares easing week
on week after a break-in read like PTSD that needs trauma-focused work, and "2-3 pints at the weekend" like
dependence. Each presentation has features that argue against it and core features of its own
(``presentations.yaml``). A finding by meaning whose clause has a feature against it and none of the core ones is
dropped; an explicit term ("PTSD", "drinks every day") is left to ConText's scope.

Not for the client's risk (mania, psychosis, intoxication): safety errs towards asking, so a finding of risk stands
whatever argues against it. (Features against mania, "sleeping 7-8h", "exhausted from night feeds", and against
intoxication now, "last Friday", "daily", were tried: read sets 9 risk rows right and none wrong, but a never-read
set lost a current risk.)
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from ..yamlfile import load_yaml
from .types import Signal

_FILE = Path(__file__).with_name("presentations.yaml")


@dataclass(frozen=True)
class _Features:
    against: tuple[re.Pattern[str], ...]
    core: re.Pattern[str]


@lru_cache(maxsize=1)
def features() -> dict[str, _Features]:
    data = load_yaml(_FILE.read_text(encoding="utf-8"))
    return {cat: _Features(tuple(re.compile(p, re.I) for p in spec["against"]), re.compile(spec["core"], re.I))
            for cat, spec in data.items()}


def against(category: str, clause: str) -> str | None:
    """The feature in ``clause`` that argues against ``category`` found by meaning, or None."""
    f = features().get(category)
    if f is None or f.core.search(clause):
        return None
    for pattern in f.against:
        m = pattern.search(clause)
        if m:
            return m.group(0)
    return None


def settle(items: list[Signal]) -> list[Signal]:
    """Drop the findings by meaning that a feature in their clause argues against. Not the client's risk (mania,
    intoxication): safety errs towards asking, so a finding of risk stands whatever argues against it."""
    return [s for s in items if s.source == "lexicon" or not s.present or s.family == "risk"
            or against(s.category, s.clause or s.text) is None]
