"""IPT Assistant: grounded next-step answers, progress notes and evals for Interpersonal Psychotherapy."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

# Patient text never goes to a tracing service: LangChain sends every prompt to LangSmith when these
# are set in the environment. Turned off unless the clinician opts in with IPT_ALLOW_TRACING=1.
if os.environ.get("IPT_ALLOW_TRACING") != "1":
    for _name in ("LANGSMITH_TRACING", "LANGSMITH_TRACING_V2", "LANGCHAIN_TRACING_V2", "LANGCHAIN_TRACING"):
        if _name in os.environ:
            os.environ[_name] = "false"

# One BLAS thread: onnxruntime's own pool runs the model; numpy's products here are small (a 384-d
# query against the chunk and exemplar matrices), and a second pool of spinning BLAS threads on 2 cores
# only competes with it. Set before numpy is imported; a caller's explicit setting wins.
for _name in ("OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ.setdefault(_name, "1")

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
