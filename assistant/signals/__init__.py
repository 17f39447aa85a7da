"""The signal layer: one place where code reads clinical meaning from text.

``read_text(text)`` -> :class:`Reading` with the client's risk (``risk``/``possible_risk``, by kind,
with assertion), out-of-frame requests, stabilise-first presentations, adaptations and the focal
area. Every finding is a typed :class:`Signal` (category, span, assertion, evidence, score).
Used by ``ask``/``chat`` (planning), ``note`` (parsing) and the checks on model output.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .screens import FocalInference, RequestView, RiskView, focal_inference, request_view, risk_view, stabilise_first
from .types import ASSERTIONS, RISK_KINDS, Signal, Signals

__all__ = ["Reading", "read_text", "analyse", "Signal", "Signals", "RiskView", "RequestView", "FocalInference",
           "ASSERTIONS", "RISK_KINDS", "screen_risk", "screen_request", "infer_focal_area"]


@dataclass
class Reading:
    signals: Signals
    risk: RiskView
    request: RequestView
    focal: FocalInference
    stabilise_first: list[str]


def analyse(text: str, **kwargs: Any) -> Signals:
    from .detect import analyse as _analyse

    return _analyse(text, **kwargs)


def read_text(text: str, *, catalog: Any = None, explicit_focus: str | None = None,
              vector_out: list[Any] | None = None) -> Reading:
    signals = analyse(text, catalog=catalog, vector_out=vector_out)
    focal = focal_inference(signals, explicit_focus)
    # An interpersonal link (an area found even just below its threshold: "panic since her divorce")
    # means anxiety is not "without an interpersonal trigger".
    # Anxiety is "without an interpersonal trigger" unless the text ties it to an interpersonal event
    # ("panic attacks since her divorce"); talk of relationships in general does not.
    linked = signals.has("interpersonal_trigger")
    request = request_view(signals, has_interpersonal_focus=linked)
    return Reading(signals, risk_view(signals), request, focal, stabilise_first(signals, request))


def screen_risk(text: str) -> RiskView:
    """The client's risk in ``text``."""
    return risk_view(analyse(text))


def infer_focal_area(text: str, catalog: Any = None) -> FocalInference:
    from .screens import named_focus

    return focal_inference(analyse(text, catalog=catalog), named_focus(text))


def screen_request(text: str, catalog: Any = None, *, has_interpersonal_focus: bool | None = None) -> RequestView:
    """Out-of-frame requests, presentations to stabilise first, adaptations."""
    reading = read_text(text, catalog=catalog)
    if has_interpersonal_focus is None:
        return reading.request
    return request_view(reading.signals, has_interpersonal_focus=has_interpersonal_focus)
