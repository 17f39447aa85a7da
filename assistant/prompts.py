"""Prompt templates, stored as files in ``prompts/`` and rendered with ``{name}`` fields.

Each template has a content hash: eval recordings are keyed by it, so editing a
prompt invalidates stored model outputs instead of silently re-using them.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from .errors import IPTError

ANSWER_SYSTEM = "answer_system"
ANSWER_USER = "answer_user"
NOTE_SYSTEM = "note_system"
NOTE_USER = "note_user"
CHAT_AGENT_SYSTEM = "chat_agent_system"
CHAT_AGENT_ANSWER = "chat_agent_answer"
JUDGE_ANSWER = "judge_answer_v1"
JUDGE_NOTE = "judge_note_v1"
JUDGE_CLAIMS = "judge_claims_v1"

_FIELD = re.compile(r"\{([a-z_]+)\}")


def prompts_dir() -> Path:
    """``IPT_PROMPTS_DIR`` if set, else the ``prompts/`` folder beside the package."""
    from .catalog import project_dir

    return project_dir("prompts", "IPT_PROMPTS_DIR")


@dataclass(frozen=True)
class Prompt:
    name: str
    text: str

    @property
    def sha(self) -> str:
        return hashlib.sha256(self.text.encode()).hexdigest()[:12]

    @property
    def fields(self) -> set[str]:
        return set(_FIELD.findall(self.text))

    def render(self, **values: object) -> str:
        missing = self.fields - set(values)
        if missing:
            raise IPTError(f"prompt {self.name!r} needs {', '.join(sorted(missing))}")
        return _FIELD.sub(lambda m: str(values[m.group(1)]), self.text)


@lru_cache(maxsize=32)
def _load(path: str, mtime: float) -> str:
    return Path(path).read_text(encoding="utf-8").strip() + "\n"


def load_prompt(name: str) -> Prompt:
    path = prompts_dir() / f"{name}.md"
    if not path.is_file():
        raise IPTError(f"prompt file not found: {path}")
    return Prompt(name, _load(str(path), path.stat().st_mtime))


def prompt_hash(*names: str) -> str:
    """One hash over several templates (used in eval recording keys)."""
    h = hashlib.sha256()
    for name in names:
        h.update(load_prompt(name).text.encode())
    return h.hexdigest()[:12]
