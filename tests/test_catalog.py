"""The knowledge base loads, is complete, has no boilerplate, and fails loudly and precisely."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from assistant.catalog import Catalog, load_catalog, repeated_sentences
from assistant.errors import KnowledgeError
from assistant.schema import FOCAL_AREAS, PHASES, TECHNIQUE_IDS

EXPECTED_IDS = {
    "interpersonal_inventory", "communication_analysis", "decision_analysis", "role_play",
    "grief_work", "role_dispute_resolution", "role_transition_support",
    "interpersonal_deficits_work", "affect_exploration", "linking_affect_to_events", "sick_role",
    "encouragement_of_affect", "exploratory_techniques", "directive_techniques", "psychoeducation",
    "termination_work", "clarification", "direct_elicitation", "case_formulation",
    "symptom_timeline", "therapeutic_relationship", "support_network_mapping",
    "communication_patterns", "social_skills_training",
}


# -- loading ---------------------------------------------------------------------------------


def test_loads_exactly_the_24_techniques(catalog: Catalog) -> None:
    assert len(catalog.techniques) == 24
    assert set(catalog.techniques) == EXPECTED_IDS
    assert set(TECHNIQUE_IDS) == EXPECTED_IDS
    for tid, t in catalog.techniques.items():
        assert t.id == tid
        assert catalog.technique(tid) is t


def test_unknown_technique_lookup_raises(catalog: Catalog) -> None:
    with pytest.raises(KnowledgeError, match="no_such_thing"):
        catalog.technique("no_such_thing")


def test_four_phases_with_16_session_ranges(catalog: Catalog) -> None:
    assert list(catalog.phases) == ["initial", "middle", "termination", "maintenance"]
    assert tuple(catalog.phases) == PHASES
    assert catalog.phases["initial"].sessions == "1-3"
    assert catalog.phases["middle"].sessions == "4-12"
    assert catalog.phases["termination"].sessions == "13-16"


def test_four_focal_areas(catalog: Catalog) -> None:
    assert set(catalog.focal_areas) == {"grief", "role_dispute", "role_transition", "interpersonal_deficits"}
    assert set(catalog.focal_areas) == set(FOCAL_AREAS)
    for area in catalog.focal_areas.values():
        assert len(area.cues) >= 8
        assert all(cue == cue.lower() for cue in area.cues), f"{area.id}: cues must be lower case"


def test_role_dispute_has_the_three_stages(catalog: Catalog) -> None:
    stages = [s.id for s in catalog.focal_areas["role_dispute"].stages]
    assert sorted(stages) == ["dissolution", "impasse", "renegotiation"]
    for s in catalog.focal_areas["role_dispute"].stages:
        assert len(s.signs) >= 2 and len(s.strategy) >= 2


def test_grief_is_reserved_for_death(catalog: Catalog) -> None:
    # Classic IPT: non-death losses (divorce, job loss) are role transitions, not grief.
    summary = catalog.focal_areas["grief"].summary.lower()
    assert "death" in summary
    assert "role transition" in summary


@pytest.mark.parametrize("tid", sorted(EXPECTED_IDS))
def test_every_technique_meets_the_minimums(catalog: Catalog, tid: str) -> None:
    t = catalog.techniques[tid]
    assert len(t.when_to_use) >= 3
    assert len(t.key_phrases) >= 4
    assert len(t.follow_up_questions) >= 3
    assert len(t.warnings) >= 2
    assert len(t.how_to) >= 3
    assert t.phases and t.focal_areas and t.references
    for item in t.when_to_use + t.key_phrases + t.follow_up_questions + t.warnings:
        assert item.strip() == item and item
    for rel in t.related:
        assert rel in catalog.techniques and rel != tid


def test_cross_references_name_real_techniques(catalog: Catalog) -> None:
    known = set(catalog.techniques)
    for p in catalog.phases.values():
        assert set(p.techniques) <= known, p.id
    for a in catalog.focal.areas:
        assert set(a.techniques) <= known, a.id
    for m in catalog.frame.out_of_frame:
        assert set(m.techniques) <= known, m.id


def test_no_repeated_sentence_across_entries(catalog: Catalog) -> None:
    assert repeated_sentences(catalog) == []


def test_repeated_sentences_finds_boilerplate(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    sentence = "Always check the client's mood at the very start of every single session."
    _edit(root / "techniques" / "role_play.yaml", lambda d: d.__setitem__("purpose", d["purpose"] + " " + sentence))
    _edit(root / "techniques" / "clarification.yaml",
          lambda d: d.__setitem__("purpose", d["purpose"] + " " + sentence))
    dupes = repeated_sentences(load_catalog(root))
    assert len(dupes) == 1
    _, first, second = dupes[0]
    assert {first, second} == {"technique:role_play", "technique:clarification"}


def test_content_hash_is_stable_and_changes_with_a_file(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    h1 = load_catalog(root).content_hash
    assert h1 == load_catalog(root).content_hash
    assert h1 == load_catalog(knowledge_dir).content_hash  # same content, different folder
    path = root / "techniques" / "role_play.yaml"
    text = path.read_text(encoding="utf-8")
    path.write_text(text.replace("How did that feel to say out loud?", "How did that feel to say aloud?"),
                    encoding="utf-8")
    h2 = load_catalog(root).content_hash
    assert h2 != h1
    (root / "frame.yaml").write_text((root / "frame.yaml").read_text(encoding="utf-8") + "\n# note\n",
                                     encoding="utf-8")
    assert load_catalog(root).content_hash not in {h1, h2}


# -- validation errors name file, entry and field ---------------------------------------------


def _copy(src: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "knowledge"
    shutil.copytree(src, dst)
    return dst


def _edit(path: Path, change: Callable[[Any], Any]) -> None:
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    change(data)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


def _load_error(root: Path) -> str:
    with pytest.raises(KnowledgeError) as info:
        load_catalog(root)
    msg = str(info.value)
    assert "\n" not in msg.strip(), "one-line message expected"
    return msg


TECH_BREAKS: list[tuple[str, Callable[[dict], Any], str]] = [
    ("key_phrases_too_few", lambda d: d.__setitem__("key_phrases", d["key_phrases"][:2]), "key_phrases"),
    ("when_to_use_too_few", lambda d: d.__setitem__("when_to_use", d["when_to_use"][:2]), "when_to_use"),
    ("follow_ups_too_few", lambda d: d.__setitem__("follow_up_questions", d["follow_up_questions"][:2]),
     "follow_up_questions"),
    ("warnings_too_few", lambda d: d.__setitem__("warnings", d["warnings"][:1]), "warnings"),
    ("wrong_phase_value", lambda d: d.__setitem__("phases", ["middle", "ending"]), "phases"),
    ("wrong_focal_area", lambda d: d.__setitem__("focal_areas", ["role_dispute", "anxiety"]), "focal_areas"),
    ("missing_field", lambda d: d.pop("warnings"), "warnings"),
    ("blank_item", lambda d: d["key_phrases"].__setitem__(1, "   "), "key_phrases"),
    ("unknown_field", lambda d: d.__setitem__("colour", "blue"), "colour"),
    ("unknown_related_id", lambda d: d.__setitem__("related", ["communication_analysis", "mind_reading"]),
     "related"),
]


@pytest.mark.parametrize("change,field", [(c, f) for _, c, f in TECH_BREAKS], ids=[n for n, _, _ in TECH_BREAKS])
def test_broken_technique_names_file_entry_and_field(tmp_path: Path, knowledge_dir: Path,
                                                     change: Callable[[dict], Any], field: str) -> None:
    root = _copy(knowledge_dir, tmp_path)
    _edit(root / "techniques" / "role_play.yaml", change)
    msg = _load_error(root)
    assert "role_play.yaml" in msg
    assert "'role_play'" in msg  # the entry, named as an entry, not only via the file name
    assert field in msg


def test_unknown_related_id_is_named(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    _edit(root / "techniques" / "decision_analysis.yaml", lambda d: d["related"].append("mind_reading"))
    msg = _load_error(root)
    assert "decision_analysis.yaml" in msg and "'decision_analysis'" in msg
    assert "related" in msg and "mind_reading" in msg


def test_broken_phase_entry_names_file_entry_and_field(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)

    def change(d: dict) -> None:
        middle = next(p for p in d["phases"] if p["id"] == "middle")
        middle["goals"] = middle["goals"][:1]

    _edit(root / "phases.yaml", change)
    msg = _load_error(root)
    assert "phases.yaml" in msg and "'middle'" in msg and "goals" in msg


def test_broken_focal_area_names_file_entry_and_field(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)

    def change(d: dict) -> None:
        area = next(a for a in d["areas"] if a["id"] == "role_transition")
        area["cues"] = area["cues"][:3]

    _edit(root / "focal_areas.yaml", change)
    msg = _load_error(root)
    assert "focal_areas.yaml" in msg and "'role_transition'" in msg and "cues" in msg


def test_missing_dispute_stage_is_reported(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)

    def change(d: dict) -> None:
        area = next(a for a in d["areas"] if a["id"] == "role_dispute")
        area["stages"] = [s for s in area["stages"] if s["id"] != "impasse"]

    _edit(root / "focal_areas.yaml", change)
    msg = _load_error(root)
    assert "focal_areas.yaml" in msg and "'role_dispute'" in msg and "stages" in msg


def test_broken_frame_entry_names_file_entry_and_field(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)

    def change(d: dict) -> None:
        item = next(m for m in d["out_of_frame"] if m["id"] == "thought_records")
        item["techniques"] = ["made_up_technique"]

    _edit(root / "frame.yaml", change)
    msg = _load_error(root)
    assert "frame.yaml" in msg and "'thought_records'" in msg and "techniques" in msg
    assert "made_up_technique" in msg


def test_yaml_syntax_error_names_file_and_line(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    path = root / "techniques" / "role_play.yaml"
    lines = path.read_text(encoding="utf-8").splitlines()
    idx = next(i for i, line in enumerate(lines) if line.startswith("key_phrases:"))
    lines.insert(idx + 1, '  - "an unterminated quote')
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    msg = _load_error(root)
    assert "role_play.yaml" in msg
    assert "invalid YAML" in msg
    assert "line " in msg


def test_non_utf8_file_is_named(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    path = root / "techniques" / "sick_role.yaml"
    raw = path.read_bytes()
    path.write_bytes(raw.replace(b"name:", "name: R\u00f4le".encode("latin-1") + b" ", 1))
    msg = _load_error(root)
    assert "sick_role.yaml" in msg
    assert "UTF-8" in msg


def test_empty_technique_file_is_named(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    (root / "techniques" / "role_play.yaml").write_text("", encoding="utf-8")
    msg = _load_error(root)
    assert "role_play.yaml" in msg


def test_id_must_match_file_name(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    _edit(root / "techniques" / "role_play.yaml", lambda d: d.__setitem__("id", "role_playing"))
    msg = _load_error(root)
    assert "role_play.yaml" in msg and "'role_playing'" in msg and "id" in msg


def test_missing_technique_file_is_named(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    (root / "techniques" / "role_play.yaml").unlink()
    msg = _load_error(root)
    assert "techniques" in msg
    assert "missing" in msg
    assert "role_play" in msg


def test_unexpected_technique_file_is_named(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    path = root / "techniques" / "mind_reading.yaml"
    shutil.copy(root / "techniques" / "role_play.yaml", path)
    _edit(path, lambda d: d.__setitem__("id", "mind_reading"))
    msg = _load_error(root)
    assert "mind_reading" in msg


@pytest.mark.parametrize("name", ["phases.yaml", "focal_areas.yaml", "frame.yaml"])
def test_missing_top_level_file_is_a_knowledge_error(tmp_path: Path, knowledge_dir: Path, name: str) -> None:
    root = _copy(knowledge_dir, tmp_path)
    (root / name).unlink()
    msg = _load_error(root)  # a KnowledgeError (exit code 3), not a raw FileNotFoundError
    assert name in msg


def test_missing_knowledge_dir(tmp_path: Path) -> None:
    msg = _load_error(tmp_path / "nowhere")
    assert "nowhere" in msg


def test_knowledge_error_exit_code() -> None:
    assert KnowledgeError("x").exit_code == 3
