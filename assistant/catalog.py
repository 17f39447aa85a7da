"""Load and validate the knowledge base (``knowledge/``) into a :class:`Catalog`.

Layout::

    knowledge/techniques/<id>.yaml   one Technique per file
    knowledge/phases.yaml            phases: [PhaseGuide, ...]
    knowledge/focal_areas.yaml       areas: [...], selection: {...}
    knowledge/frame.yaml             traps, modalities, stabilise_first, out_of_frame, adaptations,
                                     safety_first, safety_steps (one entry per risk kind)
    knowledge/situations.yaml        situations: [Situation, ...] (dilemmas of an IPT course)

A broken file raises :class:`~assistant.errors.KnowledgeError` naming the file,
the entry and the field. The catalog carries a content hash used to decide when
the search index is stale.
"""

from __future__ import annotations

import hashlib
import os
import re
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel, ValidationError

from .errors import KnowledgeError
from .schema import (
    FOCAL_AREAS,
    PHASES,
    RISK_KIND_ALIASES,
    TECHNIQUE_IDS,
    FocalAreaGuide,
    FocalAreasFile,
    FrameFile,
    PhaseGuide,
    RiskSafety,
    Situation,
    SituationsFile,
    Technique,
)
from .yamlfile import load_yaml


def project_dir(name: str, env: str) -> Path:
    """A project data folder (``knowledge``, ``prompts``): ``$env`` if set, else the folder beside the
    package (a source checkout), else a copy inside the package (``_name``)."""
    value = os.environ.get(env)
    if value:
        return Path(value).expanduser()
    return _packaged_dir(name)


@lru_cache(maxsize=8)
def _packaged_dir(name: str) -> Path:
    here = Path(__file__).resolve().parent
    for candidate in (here.parent / name, here / f"_{name}"):
        if candidate.is_dir():
            return candidate
    return here.parent / name


def default_knowledge_dir() -> Path:
    """``IPT_KNOWLEDGE_DIR`` if set, else the ``knowledge/`` folder beside the package."""
    return project_dir("knowledge", "IPT_KNOWLEDGE_DIR")


@dataclass(frozen=True)
class Catalog:
    """The validated knowledge base."""

    techniques: dict[str, Technique]
    phases: dict[str, PhaseGuide]
    focal: FocalAreasFile
    frame: FrameFile
    content_hash: str
    root: Path
    _sources: dict[str, str] = field(default_factory=dict, repr=False)
    situations: dict[str, Situation] = field(default_factory=dict)
    general_questions: tuple[str, ...] = ()

    @cached_property
    def focal_areas(self) -> dict[str, FocalAreaGuide]:
        return {a.id: a for a in self.focal.areas}

    @cached_property
    def safety_by_kind(self) -> dict[str, RiskSafety]:
        """Safety steps by risk kind; older category names (``violence_at_home``) resolve too."""
        table: dict[str, RiskSafety] = {r.kind: r for r in self.frame.safety_steps}
        for alias, kind in RISK_KIND_ALIASES.items():
            if kind in table:
                table.setdefault(alias, table[kind])
        return table

    @cached_property
    def frame_entries(self) -> dict[str, Any]:
        """Every frame item (trap, modality, stabilise-first, out-of-frame method, adaptation) by id."""
        fr = self.frame
        return {x.id: x for group in (fr.traps, fr.modalities, fr.stabilise_first, fr.out_of_frame, fr.adaptations)
                for x in group}

    def technique(self, technique_id: str) -> Technique:
        try:
            return self.techniques[technique_id]
        except KeyError:
            raise KnowledgeError(f"unknown technique id: {technique_id!r}") from None

    def source_of(self, key: str) -> str:
        """The file an entry came from (for error messages and citations)."""
        return self._sources.get(key, "")


def _read_yaml(path: Path) -> Any:
    try:
        raw = path.read_bytes()
    except OSError as exc:
        raise KnowledgeError(f"{path}: cannot read ({exc.strerror})") from None
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError:
        raise KnowledgeError(f"{path}: not UTF-8 text") from None
    try:
        return load_yaml(text)
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" line {mark.line + 1}" if mark is not None else ""
        raise KnowledgeError(f"{path}:{where} invalid YAML ({getattr(exc, 'problem', exc)})") from None


def _entry_label(data: Any, loc: tuple[Any, ...]) -> str:
    """Walk ``loc`` through ``data`` and name the innermost entry that has an id."""
    label = ""
    node = data
    for part in loc:
        if isinstance(node, dict) and "id" in node:
            label = str(node["id"])
        try:
            node = node[part]
        except (KeyError, IndexError, TypeError):
            break
    if isinstance(node, dict) and "id" in node:
        label = str(node["id"])
    return label


def _validate(model: type[BaseModel], data: Any, path: Path) -> Any:
    if not isinstance(data, dict):
        raise KnowledgeError(f"{path}: expected a mapping at top level, got {type(data).__name__}")
    try:
        return model.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        loc = tuple(err["loc"])
        entry = _entry_label(data, loc)
        field_path = ".".join(str(p) for p in loc) or "(root)"
        more = f" (+{exc.error_count() - 1} more)" if exc.error_count() > 1 else ""
        entry_txt = f" entry {entry!r}" if entry else ""
        raise KnowledgeError(f"{path}:{entry_txt} field {field_path!r}: {err['msg']}{more}") from None


_SENTENCE_SPLIT = re.compile(r"(?<=[.!?])\s+")


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE_SPLIT.split(text) if s]


def _norm_sentence(text: str) -> str:
    return re.sub(r"[^a-z0-9 ]+", "", text.lower()).strip()


def iter_texts(cat: Catalog, skip: frozenset[str] = frozenset({"references"})) -> list[tuple[str, str]]:
    """``(entry, text)`` for every string in the knowledge base, fields named in ``skip`` left out."""
    out: list[tuple[str, str]] = []

    def walk(entry: str, value: Any) -> None:
        if isinstance(value, str):
            out.append((entry, value))
        elif isinstance(value, (list, tuple)):
            for v in value:
                walk(entry, v)
        elif isinstance(value, dict):
            for v in value.values():
                walk(entry, v)
        elif isinstance(value, BaseModel):
            for name in type(value).model_fields:
                if name not in skip:
                    walk(entry, getattr(value, name))

    for t in cat.techniques.values():
        walk(f"technique:{t.id}", t)
    for p in cat.phases.values():
        walk(f"phase:{p.id}", p)
    for a in cat.focal.areas:
        walk(f"focal_area:{a.id}", a)
    walk("focal_area:selection", cat.focal.selection)
    for group in ("traps", "modalities", "stabilise_first", "out_of_frame", "adaptations"):
        for item in getattr(cat.frame, group):
            walk(f"frame:{group}:{item.id}", item)
    walk("frame:safety_first", cat.frame.safety_first)
    for r in cat.frame.safety_steps:
        walk(f"frame:safety_steps:{r.kind}", r)
    for sit in cat.situations.values():
        walk(f"situation:{sit.id}", sit)
    return out


#: Fields that hold ids, references or one-word stances rather than prose.
_NOT_PROSE = frozenset({"id", "references", "techniques", "related", "focal_areas", "phases", "stance", "kind",
                        "frame_entry"})


def repeated_sentences(cat: Catalog, min_words: int = 6) -> list[tuple[str, str, str]]:
    """Sentences of ``min_words`` or more that appear in two different entries.

    Returns ``(sentence, first_entry, second_entry)`` triples; the knowledge base
    must have none (no boilerplate across entries).
    """
    seen: dict[str, str] = {}
    dupes: list[tuple[str, str, str]] = []
    for entry, text in iter_texts(cat, _NOT_PROSE):
        for s in _sentences(text):
            key = _norm_sentence(s)
            if len(key.split()) < min_words:
                continue
            owner = seen.setdefault(key, entry)
            if owner != entry:
                dupes.append((s, owner, entry))
    return dupes


def load_catalog(root: Path | str | None = None) -> Catalog:
    """Read, validate and cross-check every knowledge file under ``root``."""
    root = Path(root) if root is not None else default_knowledge_dir()
    if not root.is_dir():
        raise KnowledgeError(f"{root}: knowledge directory not found (set IPT_KNOWLEDGE_DIR)")
    digest = hashlib.sha256()
    sources: dict[str, str] = {}

    def read(path: Path) -> Any:
        data = _read_yaml(path)  # raises KnowledgeError naming the file if missing or unreadable
        digest.update(path.relative_to(root).as_posix().encode())
        digest.update(path.read_bytes())
        return data

    techniques: dict[str, Technique] = {}
    tech_dir = root / "techniques"
    files = sorted(tech_dir.glob("*.yaml")) if tech_dir.is_dir() else []
    for path in files:
        tech = _validate(Technique, read(path), path)
        if tech.id != path.stem:
            raise KnowledgeError(f"{path}: entry {tech.id!r} field 'id': must match the file name {path.stem!r}")
        techniques[tech.id] = tech
        sources[f"technique:{tech.id}"] = str(path)
    missing = [t for t in TECHNIQUE_IDS if t not in techniques]
    extra = [t for t in techniques if t not in TECHNIQUE_IDS]
    if missing:
        raise KnowledgeError(f"{tech_dir}: missing technique entries: {', '.join(missing)}")
    if extra:
        raise KnowledgeError(f"{tech_dir}: unexpected technique entries: {', '.join(extra)}")

    phases_path = root / "phases.yaml"
    raw_phases = read(phases_path)
    if not isinstance(raw_phases, dict) or not isinstance(raw_phases.get("phases"), list):
        raise KnowledgeError(f"{phases_path}: field 'phases': expected a list of phase entries")
    phases: dict[str, PhaseGuide] = {}
    for item in raw_phases["phases"]:
        guide = _validate(PhaseGuide, item, phases_path)
        phases[guide.id] = guide
        sources[f"phase:{guide.id}"] = str(phases_path)
    if set(phases) != set(PHASES):
        raise KnowledgeError(f"{phases_path}: field 'phases': need exactly {', '.join(PHASES)}")

    focal_path = root / "focal_areas.yaml"
    focal = _validate(FocalAreasFile, read(focal_path), focal_path)
    if {a.id for a in focal.areas} != set(FOCAL_AREAS):
        raise KnowledgeError(f"{focal_path}: field 'areas': need exactly {', '.join(FOCAL_AREAS)}")
    dispute = next(a for a in focal.areas if a.id == "role_dispute")
    if {s.id for s in dispute.stages} != {"renegotiation", "impasse", "dissolution"}:
        raise KnowledgeError(
            f"{focal_path}: entry 'role_dispute' field 'stages': need renegotiation, impasse, dissolution"
        )

    frame_path = root / "frame.yaml"
    frame = _validate(FrameFile, read(frame_path), frame_path)
    stabilise_ids = {x.id for x in frame.stabilise_first}
    for r in frame.safety_steps:
        if r.frame_entry and r.frame_entry not in stabilise_ids:
            raise KnowledgeError(f"{frame_path}: entry {r.kind!r} field 'frame_entry': "
                                 f"unknown stabilise_first id {r.frame_entry!r}")

    situations_path = root / "situations.yaml"
    sits = _validate(SituationsFile, read(situations_path), situations_path)
    situations: dict[str, Situation] = {}
    for sit in sits.situations:
        if sit.id in situations:
            raise KnowledgeError(f"{situations_path}: entry {sit.id!r} field 'id': listed twice")
        situations[sit.id] = sit
        sources[f"situation:{sit.id}"] = str(situations_path)

    # Cross references must name real techniques.
    def check_refs(where: str, path: Path, ids: list[str]) -> None:
        for tid in ids:
            if tid not in techniques:
                raise KnowledgeError(f"{path}: {where}: unknown technique id {tid!r}")

    for t in techniques.values():
        check_refs(f"entry {t.id!r} field 'related'", tech_dir / f"{t.id}.yaml", t.related)
    for p in phases.values():
        check_refs(f"entry {p.id!r} field 'techniques'", phases_path, p.techniques)
    for a in focal.areas:
        check_refs(f"entry {a.id!r} field 'techniques'", focal_path, a.techniques)
    for m in frame.out_of_frame:
        check_refs(f"entry {m.id!r} field 'techniques'", frame_path, m.techniques)
    for sit in situations.values():
        check_refs(f"entry {sit.id!r} field 'techniques'", situations_path, sit.techniques)

    return Catalog(
        techniques={tid: techniques[tid] for tid in TECHNIQUE_IDS},
        phases={pid: phases[pid] for pid in PHASES},
        focal=focal,
        frame=frame,
        content_hash=digest.hexdigest()[:16],
        root=root,
        _sources=sources,
        situations=situations,
        general_questions=tuple(sits.general),
    )


@lru_cache(maxsize=4)
def _cached(root: str, stamp: tuple[tuple[str, float, int], ...]) -> Catalog:
    return load_catalog(Path(root))


_STAMP_TTL = 1.0
_stamps: dict[str, tuple[float, tuple[tuple[str, float, int], ...]]] = {}


def get_catalog(root: Path | str | None = None) -> Catalog:
    """Cached :func:`load_catalog`; reloads when any knowledge file changes on disk
    (file times are checked at most once a second)."""
    import time

    base = Path(root) if root is not None else default_knowledge_dir()
    now = time.monotonic()
    cached = _stamps.get(str(base))
    if cached and now - cached[0] < _STAMP_TTL:
        return _cached(str(base), cached[1])
    stamp = tuple(
        (str(p), p.stat().st_mtime, p.stat().st_size) for p in sorted(base.rglob("*.yaml"))
    ) if base.is_dir() else ()
    _stamps[str(base)] = (now, stamp)
    return _cached(str(base), stamp)
