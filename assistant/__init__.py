"""IPT Assistant: grounded next-step answers, progress notes and evals for Interpersonal Psychotherapy."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:  # pragma: no cover
    from .assistant import Assistant
    from .models import Answer, Note

__all__ = ["Assistant", "Answer", "Note", "__version__"]


def __getattr__(name: str) -> Any:
    # Lazy: `import assistant` stays cheap so `ipt --help` is instant.
    if name == "Assistant":
        from .assistant import Assistant

        return Assistant
    if name in {"Answer", "Note"}:
        from . import models

        return getattr(models, name)
    raise AttributeError(name)
