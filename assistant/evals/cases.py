"""Eval case files (``evals/cases/next_step/*.yaml``, ``evals/cases/notes/*.yaml``), schema-validated.

A broken file raises :class:`~assistant.errors.KnowledgeError` naming the file, the case and the field.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from ..errors import KnowledgeError
from ..models import ANSWER_FLAG_CODES, NOTE_FLAG_CODES
from ..schema import FOCAL_AREAS, TECHNIQUE_IDS
from ..yamlfile import load_yaml

ANSWER_FLAGS = ANSWER_FLAG_CODES
NOTE_FLAGS = NOTE_FLAG_CODES


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


def _known_ids(ids: list[str]) -> list[str]:
    bad = [i for i in ids if i not in TECHNIQUE_IDS]
    if bad:
        raise ValueError(f"unknown technique ids {bad}")
    return ids


def _codes_in(allowed: tuple[str, ...]) -> Any:
    def check(codes: list[str]) -> list[str]:
        for code in codes:
            if code not in allowed:
                raise ValueError(f"unknown flag code {code!r}")
        return codes

    return check


class NextStepExpect(_Strict):
    phase: Literal["initial", "middle", "termination", "maintenance", "none"] | None = None
    focal_area: Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits", "none"] | None = None
    techniques_any: list[str] = Field(default_factory=list, description="at least one within the top k")
    k: int = Field(default=3, ge=1, le=8)
    forbidden_techniques: list[str] = Field(default_factory=list, description="none within the top k")
    flags: list[str] = Field(default_factory=list)
    no_flags: list[str] = Field(default_factory=list)
    must: list[str] = Field(default_factory=list, description="phrases that must appear (case-insensitive)")
    must_not: list[str] = Field(default_factory=list, description="phrases that must not appear")
    safety_first: bool | None = None

    _ids = field_validator("techniques_any", "forbidden_techniques")(_known_ids)
    _flag_codes = field_validator("flags", "no_flags")(_codes_in(ANSWER_FLAGS))


class NextStepCase(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]+$")
    question: str = Field(min_length=5)
    session: int | None = Field(default=None, ge=1, le=60)
    of: int | None = Field(default=None, ge=1, le=60)
    focus: str | None = None
    tags: list[str] = Field(default_factory=list)
    expect: NextStepExpect

    @model_validator(mode="after")
    def _focus(self) -> "NextStepCase":
        if self.focus is not None and self.focus not in FOCAL_AREAS:
            raise ValueError(f"focus must be one of {FOCAL_AREAS}")
        return self


class NoteExpect(_Strict):
    keep: list[str] = Field(default_factory=list, description="facts (verbatim) that must survive into the note")
    must_not: list[str] = Field(default_factory=list)
    flags: list[str] = Field(default_factory=list)
    no_flags: list[str] = Field(default_factory=list)
    techniques: list[str] = Field(default_factory=list, description="catalog ids the bullets name")
    risk_status: Literal["present", "denied", "not_documented"] | None = None
    session: int | None = None
    focal_area: Literal["grief", "role_dispute", "role_transition", "interpersonal_deficits"] | None = None

    _ids = field_validator("techniques")(_known_ids)
    _flag_codes = field_validator("flags", "no_flags")(_codes_in(NOTE_FLAGS))


class NoteCase(_Strict):
    id: str = Field(pattern=r"^[a-z0-9][a-z0-9_]+$")
    bullets: str = Field(min_length=3)
    format: Literal["soap", "dap", "birp", "girp"]
    session: int | None = Field(default=None, ge=1, le=60)
    of: int | None = Field(default=None, ge=1, le=60)
    focus: str | None = None
    tags: list[str] = Field(default_factory=list)
    expect: NoteExpect


class CaseSet(BaseModel):
    next_step: list[NextStepCase]
    notes: list[NoteCase]

    def count(self) -> int:
        return len(self.next_step) + len(self.notes)


def _load_file(path: Path, model: type[BaseModel]) -> list:  # type: ignore[type-arg]
    try:
        data = load_yaml(path.read_text(encoding="utf-8"))
    except UnicodeDecodeError:
        raise KnowledgeError(f"{path}: not UTF-8 text") from None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        raise KnowledgeError(f"{path}:{' line ' + str(mark.line + 1) if mark else ''} invalid YAML") from None
    if not isinstance(data, list):
        raise KnowledgeError(f"{path}: expected a list of cases")
    out = []
    for i, item in enumerate(data):
        try:
            out.append(model.model_validate(item))
        except ValidationError as exc:
            err = exc.errors()[0]
            case_id = item.get("id", f"#{i + 1}") if isinstance(item, dict) else f"#{i + 1}"
            loc = ".".join(str(p) for p in err["loc"]) or "(case)"
            raise KnowledgeError(f"{path}: case {case_id!r} field {loc!r}: {err['msg']}") from None
    return out


def load_cases(root: Path) -> CaseSet:
    """All cases under ``root/next_step`` and ``root/notes``; ids must be unique."""
    if not root.is_dir():
        raise KnowledgeError(f"{root}: eval cases folder not found")
    nxt: list[NextStepCase] = []
    notes: list[NoteCase] = []
    seen: dict[str, Path] = {}
    for sub, model, bucket in (("next_step", NextStepCase, nxt), ("notes", NoteCase, notes)):
        for path in sorted((root / sub).glob("*.yaml")):
            for case in _load_file(path, model):
                if case.id in seen:
                    raise KnowledgeError(f"{path}: case {case.id!r} field 'id': duplicate case id {case.id!r} (also in {seen[case.id]})")
                seen[case.id] = path
                bucket.append(case)
    return CaseSet(next_step=nxt, notes=notes)

