"""Turn the catalog into retrieval chunks with metadata (kind, id, phases, focal areas)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .catalog import Catalog
from .fitting import neutral
from .schema import FOCAL_AREAS, PHASES, step_text


@dataclass(frozen=True)
class Chunk:
    """One searchable piece of the knowledge base."""

    chunk_id: str  # "technique:role_play:howto"
    kind: str  # technique | situation | phase | focal_area | frame
    doc_id: str  # "role_play"
    title: str
    text: str
    phases: tuple[str, ...] = ()
    focal_areas: tuple[str, ...] = ()
    extra: dict[str, str] = field(default_factory=dict)

    @property
    def key(self) -> str:
        return f"{self.kind}:{self.doc_id}"

    def metadata(self) -> dict[str, str | bool]:
        """Flat metadata for chromadb (scalars only: one boolean per phase and focal area)."""
        meta: dict[str, str | bool] = {"kind": self.kind, "doc_id": self.doc_id, "title": self.title}
        for p in PHASES:
            meta[f"phase_{p}"] = p in self.phases
        for a in FOCAL_AREAS:
            meta[f"focal_{a}"] = a in self.focal_areas
        return meta


def _lines(items: list[str] | tuple[str, ...]) -> str:
    return "\n".join(f"- {i}" for i in items)


def build_chunks(cat: Catalog) -> list[Chunk]:
    """All chunks, in a stable order (the order defines BM25 document ids)."""
    chunks: list[Chunk] = []
    for t in cat.techniques.values():
        ph, fa = tuple(t.phases), tuple(t.focal_areas)
        also = ", ".join(t.synonyms)
        # Small chunks (about 128 word pieces or fewer) so that the embedding model, trained at
        # that length, sees each one whole.
        parts = {
            "overview": f"{t.name} (also called: {also}). {t.summary} {t.purpose}",
            "when": f"{t.name}: when to use it.\n{_lines(t.when_to_use)}",
            "howto": f"{t.name}: how to do it.\n{_lines(t.how_to)}",
            "say": f"{t.name}: what to say.\n{_lines([neutral(p) for p in t.key_phrases])}\nFollow-up questions:\n"
                   f"{_lines([neutral(q) for q in t.follow_up_questions])}",
            "warnings": f"{t.name}: warnings and pitfalls.\n{_lines(t.warnings)}",
        }
        for part, text in parts.items():
            chunks.append(Chunk(f"technique:{t.id}:{part}", "technique", t.id, t.name, text, ph, fa))
    for s in cat.situations.values():
        # Situations are retrieved like techniques: the situation and what to do about it.
        ph = tuple(s.phases) or tuple(PHASES)
        fa = tuple(s.focal_areas) or tuple(FOCAL_AREAS)
        # One chunk per situation, and the recognition exemplars stay out of the shared index: they read
        # like clinicians' questions and would crowd techniques out of the dense ranking (the matcher in
        # assistant/situations.py embeds them on its own).
        # (The answer itself reaches the composer and the model's context from the catalog by id.)
        chunks.append(Chunk(f"situation:{s.id}:steps", "situation", s.id, s.name,
                            f"{s.name}: what to do.\n{_lines([neutral(step_text(x)) for x in s.steps])}", ph, fa))
    for p in cat.phases.values():
        chunks.append(Chunk(f"phase:{p.id}:goals", "phase", p.id, p.name,
                            f"{p.name} (sessions {p.sessions}). {p.summary}\nGoals:\n{_lines(p.goals)}\n"
                            f"Tasks:\n{_lines(p.tasks)}", (p.id,), tuple(FOCAL_AREAS)))
        chunks.append(Chunk(f"phase:{p.id}:session", "phase", p.id, p.name,
                            f"{p.name}: how a session runs.\n{_lines(p.session_structure)}\n"
                            f"Avoid:\n{_lines(p.avoid)}\nEnding: {p.termination}", (p.id,), tuple(FOCAL_AREAS)))
    for a in cat.focal.areas:
        chunks.append(Chunk(f"focal_area:{a.id}:overview", "focal_area", a.id, a.name,
                            f"{a.name}. {a.summary}\nIndicators:\n{_lines(a.indicators)}\n"
                            f"Goals:\n{_lines(a.goals)}", tuple(PHASES), (a.id,)))
        chunks.append(Chunk(f"focal_area:{a.id}:strategies", "focal_area", a.id, a.name,
                            f"{a.name}: strategies.\n{_lines(a.strategies)}\nPitfalls:\n{_lines(a.pitfalls)}",
                            tuple(PHASES), (a.id,)))
        for s in a.stages:
            chunks.append(Chunk(f"focal_area:{a.id}:stage_{s.id}", "focal_area", a.id, a.name,
                                f"{a.name}, {s.name} stage. {s.description}\nSigns:\n{_lines(s.signs)}\n"
                                f"Strategy:\n{_lines(s.strategy)}", ("middle",), (a.id,)))
    fr = cat.frame
    for trap in fr.traps:
        chunks.append(Chunk(f"frame:trap_{trap.id}:body", "frame", f"trap_{trap.id}", trap.name,
                            f"Common IPT trap: {trap.name}. {trap.description}\nSigns:\n{_lines(trap.signs)}\n"
                            f"Remedy: {trap.remedy}", tuple(PHASES), tuple(FOCAL_AREAS)))
    for item in fr.stabilise_first:
        chunks.append(Chunk(f"frame:{item.id}:body", "frame", item.id, item.name,
                            f"{item.name}. {item.description}\nWhat to do:\n{_lines(item.what_to_do)}",
                            tuple(PHASES), tuple(FOCAL_AREAS)))
    for m in fr.out_of_frame:
        chunks.append(Chunk(f"frame:{m.id}:body", "frame", m.id, m.name,
                            f"{m.name} ({m.belongs_to}) is outside the IPT frame. {m.why_not} "
                            f"Instead: {m.ipt_instead}", tuple(PHASES), tuple(FOCAL_AREAS)))
    for ad in fr.adaptations:
        chunks.append(Chunk(f"frame:{ad.id}:body", "frame", ad.id, ad.name,
                            f"{ad.name} ({ad.population}).\n{_lines(ad.changes)}", tuple(PHASES),
                            tuple(FOCAL_AREAS)))
    for mod in fr.modalities:
        chunks.append(Chunk(f"frame:modality_{mod.id}:body", "frame", f"modality_{mod.id}", mod.name,
                            f"{mod.name}: {mod.focus}\n{_lines(mod.markers)}", tuple(PHASES),
                            tuple(FOCAL_AREAS)))
    return chunks
