"""The public Python API: :class:`Assistant`."""

from __future__ import annotations

import time
from typing import Any, Callable

from .catalog import Catalog, get_catalog
from .config import Settings
from .llm import ChatModel, make_model
from .models import Answer, Note
from .phase import DEFAULT_TOTAL

_FROM_SETTINGS: Any = object()


class Assistant:
    """Grounded IPT answers and progress notes.

    >>> from assistant import Assistant
    >>> a = Assistant()                      # reads IPT_* / OPENAI_* from the environment
    >>> ans = a.ask("Session 5: she keeps fighting with her husband about chores. Next?")
    >>> ans.phase, ans.focal_area, ans.techniques[:3]

    ``model`` may be any object with the :class:`~assistant.llm.ChatModel` interface (tests pass a
    fake); by default it comes from the settings, and is ``None`` (grounded offline mode) when no
    endpoint is configured.
    """

    def __init__(self, settings: Settings | None = None, *, model: ChatModel | None = _FROM_SETTINGS,
                 offline: bool = False) -> None:
        self.settings = settings or Settings.from_env(offline=offline or None)
        if offline:
            self.settings = self.settings.model_copy(update={"offline": True})
        self.model: ChatModel | None = make_model(self.settings) if model is _FROM_SETTINGS else model
        if offline:
            self.model = None
        self._retriever: Any = None

    # -- knowledge ---------------------------------------------------------------------------
    @property
    def catalog(self) -> Catalog:
        return get_catalog(self.settings.knowledge_dir)

    @property
    def retriever(self) -> Any:
        from .retrieval import Retriever

        cat = self.catalog
        if self._retriever is None or self._retriever.catalog.content_hash != cat.content_hash:
            self._retriever = Retriever(cat, self.settings.data_dir, self.settings.chroma_url)
        return self._retriever

    def rebuild_index(self) -> float:
        """Force the search index to be rebuilt; returns seconds taken."""
        return self.retriever.rebuild()

    @property
    def mode(self) -> str:
        return "llm" if self.model is not None else "offline"

    # -- ask ---------------------------------------------------------------------------------
    def ask(self, question: str, session: int | None = None, total_sessions: int = DEFAULT_TOTAL,
            focal_area: str | None = None, *, on_token: Callable[[str], None] | None = None,
            detail: str = "short") -> Answer:
        """Answer "what do I do next?" for a case; see :class:`~assistant.models.Answer`.

        ``detail``: "short" (default: the direct answer, 2-3 steps, wording, one watch-for line) or
        "full" (adds the phase summary, ranked techniques with how-to and the session structure)."""
        from .answer import llm_answer, offline_answer
        from .compose import normalise_detail, use_detail
        from .planning import plan_question

        started = time.perf_counter()
        level = normalise_detail(detail)
        cat = self.catalog
        plan = plan_question(question, self.retriever, cat, session=session,
                             total_sessions=total_sessions, focal_area=focal_area)
        with use_detail(level):
            if self.model is None:
                return offline_answer(plan, cat, started=started)
            return llm_answer(plan, cat, self.model, budget=self.settings.context_tokens,
                              max_tokens=self.settings.max_answer_tokens, on_token=on_token, started=started)

    # -- notes -------------------------------------------------------------------------------
    def draft_note(self, bullets: str | list[str], format: str = "dap", session: int | None = None,
                   total_sessions: int | None = None, focal_area: str | None = None, *,
                   on_token: Callable[[str], None] | None = None) -> Note:
        """Draft a progress note from the clinician's bullets; see :class:`~assistant.models.Note`."""
        from .notes.drafting import draft_note

        return draft_note(bullets, self.catalog, self.model, format=format, session=session,
                          total_sessions=total_sessions, focal_area=focal_area, on_token=on_token,
                          judge=self.note_judge)

    @property
    def note_judge(self) -> ChatModel | None:
        """The optional entailment judge for model drafts: only when ``IPT_JUDGE_BASE_URL`` (or
        ``IPT_JUDGE_MODEL``) is set, never in offline mode."""
        import os

        if self.model is None or not (os.environ.get("IPT_JUDGE_BASE_URL") or os.environ.get("IPT_JUDGE_MODEL")):
            return None
        if getattr(self, "_judge", None) is None:
            from .llm import OpenAICompatibleModel

            update = {"offline": False}
            for env, key in (("IPT_JUDGE_BASE_URL", "base_url"), ("IPT_JUDGE_MODEL", "model"),
                             ("IPT_JUDGE_API_KEY", "api_key")):
                if os.environ.get(env):
                    update[key] = os.environ[env]
            self._judge = OpenAICompatibleModel(self.settings.model_copy(update=update))
        return self._judge
