"""knowledge/situations.yaml, the clinical corrections in knowledge/, the per-risk-kind safety steps,
wording placeholders, the people in a question, and the situation matcher."""

from __future__ import annotations

import hashlib
import re
import shutil
from pathlib import Path
from typing import Any, Callable

import pytest
import yaml

from assistant.catalog import Catalog, iter_texts, load_catalog
from assistant.errors import KnowledgeError
from assistant.fitting import CLINICIAN, People, fill, mismatched_relatives, neutral, people_in
from assistant.schema import PLACEHOLDERS, RISK_KINDS, placeholders_in, sentence_count, step_text

REPO = Path(__file__).resolve().parents[1]

#: The situations issue 10 asks for, by id.
REQUIRED = {
    "late_arrivals", "silent_client", "missed_sessions", "extension_request", "keep_meeting_after_end",
    "asks_for_advice", "asks_to_take_sides", "partner_joins_session", "dispute_or_transition", "dispute_stage",
    "two_focal_areas", "non_death_loss", "no_improvement_midcourse", "no_improvement_at_end",
    "wants_to_stop_medication", "medication_after_remission", "medication_side_effects", "suicidal_thoughts_return",
    "idealised_deceased", "anger_at_therapist", "returns_to_childhood", "task_not_done", "crisis_between_sessions",
    "termination_anxiety", "moving_to_maintenance", "brings_worksheet_or_diary", "cultural_family_expectations",
    "telehealth_sessions",
}


def _all_texts(cat: Catalog) -> list[tuple[str, str]]:
    """(entry, text) for every string in the knowledge base."""
    return iter_texts(cat)


# -- the situations file -----------------------------------------------------------------------------


def test_situations_load_and_cover_the_issue(catalog: Catalog) -> None:
    assert len(catalog.situations) >= 40
    assert REQUIRED <= set(catalog.situations), sorted(REQUIRED - set(catalog.situations))
    assert len(catalog.general_questions) >= 10
    for s in catalog.situations.values():
        assert len(s.recognise) >= 5, s.id
        assert 2 <= sentence_count(s.answer) <= 4, s.id
        assert all(w.lower() in s.answer.lower() for w in s.stance), s.id
        assert len(s.steps) >= 3 and len(s.wording) >= 2 and s.follow_up and s.pitfalls and s.references, s.id
        assert set(s.techniques) <= set(catalog.techniques), s.id


def test_schools_are_named_where_they_differ(catalog: Catalog) -> None:
    for sid in ("task_not_done", "non_death_loss", "extension_request"):
        text = catalog.situations[sid].schools or ""
        assert "Stuart" in text and ("Weissman" in text or "Markowitz" in text), sid


def test_situation_names_are_distinct_and_not_prefixes(catalog: Catalog) -> None:
    names = [s.name for s in catalog.situations.values()]
    assert len(set(names)) == len(names)
    for a in names:
        for b in names:
            assert a == b or not b.startswith(a + "."), (a, b)


def _copy(knowledge_dir: Path, tmp_path: Path) -> Path:
    dst = tmp_path / "knowledge"
    shutil.copytree(knowledge_dir, dst)
    return dst


def _edit_situation(root: Path, sid: str, change: Callable[[dict], Any]) -> None:
    path = root / "situations.yaml"
    data = yaml.safe_load(path.read_text(encoding="utf-8"))
    entry = next(s for s in data["situations"] if s["id"] == sid)
    change(entry)
    path.write_text(yaml.safe_dump(data, sort_keys=False, allow_unicode=True), encoding="utf-8")


BREAKS: list[tuple[str, Callable[[dict], Any], str]] = [
    ("answer_too_long", lambda d: d.__setitem__("answer", "One. Two. Three. Four. Five sentences here now."), "answer"),
    ("stance_not_in_answer", lambda d: d.__setitem__("stance", ["nothing like this"]), "stance"),
    ("unknown_placeholder", lambda d: d["wording"].__setitem__(0, "Ask {sister} about it, then we will see."), "wording"),
    ("too_few_exemplars", lambda d: d.__setitem__("recognise", d["recognise"][:2]), "recognise"),
    ("unknown_technique", lambda d: d.__setitem__("techniques", ["mind_reading"]), "mind_reading"),
    ("bad_phase", lambda d: d.__setitem__("phases", ["ending"]), "phases"),
]


@pytest.mark.parametrize("change,field", [(c, f) for _, c, f in BREAKS], ids=[n for n, _, _ in BREAKS])
def test_broken_situation_names_file_entry_and_field(tmp_path: Path, knowledge_dir: Path,
                                                     change: Callable[[dict], Any], field: str) -> None:
    root = _copy(knowledge_dir, tmp_path)
    _edit_situation(root, "late_arrivals", change)
    with pytest.raises(KnowledgeError) as info:
        load_catalog(root)
    msg = str(info.value)
    assert "situations.yaml" in msg and "late_arrivals" in msg and field in msg


def test_missing_situations_file_is_a_knowledge_error(tmp_path: Path, knowledge_dir: Path) -> None:
    root = _copy(knowledge_dir, tmp_path)
    (root / "situations.yaml").unlink()
    with pytest.raises(KnowledgeError, match="situations.yaml"):
        load_catalog(root)


# -- safety steps by risk kind ----------------------------------------------------------------------


def test_every_risk_kind_has_its_own_safety_steps(catalog: Catalog) -> None:
    kinds = {r.kind: r for r in catalog.frame.safety_steps}
    assert set(kinds) == set(RISK_KINDS)
    seen: set[str] = set()
    for r in kinds.values():
        assert 3 <= len(r.steps) <= 6 and r.ask.endswith("?") and r.resume
        for step in r.steps:
            assert step not in seen, f"{r.kind} repeats a step of another kind: {step}"
            seen.add(step)
    # The kinds differ in substance: intoxication is not handled with the suicide checklist.
    assert "sober" in " ".join(kinds["intoxication"].steps)
    assert "safety plan" in " ".join(kinds["ipv"].steps).lower()
    assert "duty" in " ".join(kinds["harm_to_others"].steps).lower()
    assert "safeguarding" in " ".join(kinds["safeguarding"].steps).lower()
    assert "sleep" in " ".join(kinds["mania"].steps).lower()
    # The old category name still resolves.
    assert catalog.safety_by_kind["violence_at_home"].kind == "ipv"
    for r in kinds.values():
        assert r.frame_entry is None or r.frame_entry in catalog.frame_entries


def test_generic_safety_lines_are_kind_neutral(catalog: Catalog) -> None:
    text = " ".join(catalog.frame.safety_first).lower()
    for word in ("means", "overdose", "weapon", "suicid"):
        assert word not in text


# -- the clinical corrections ---------------------------------------------------------------------


def test_no_cbt_scaling_or_graded_steps(catalog: Catalog) -> None:
    bad = re.compile(r"\b(?:zero\s+to\s+ten|0\s*-\s*10|out\s+of\s+ten|graded|step\s+by\s+step|raise\s+the\s+difficulty|"
                     r"in\s+your\s+body|scale\s+from)\b", re.I)
    hits = [(e, t) for e, t in _all_texts(catalog) if bad.search(t) and not e.startswith("frame:out_of_frame")
            and not e.startswith("frame:modalities")]
    assert not hits, hits


def test_grief_points_prolonged_grief_elsewhere(catalog: Catalog) -> None:
    grief = catalog.focal_areas["grief"]
    assert not any("yearning" in i.lower() for i in grief.indicators)
    shear = [r for r in grief.references if r.startswith("Shear")]
    assert shear and all("better than IPT" in r for r in shear)
    pgd = catalog.frame_entries["prolonged_grief_disorder"]
    assert pgd.kind == "not_ipt_fit" and "complicated grief treatment" in " ".join(pgd.what_to_do).lower()
    assert "prolonged_grief_suspected" in catalog.situations


def test_no_weekly_homework_routine_or_mandatory_role_play(catalog: Catalog) -> None:
    middle = catalog.phases["middle"]
    text = " ".join(middle.tasks + middle.session_structure).lower()
    assert "task agreed last time" not in text and "for the coming week" not in text
    assert "not a fixture of every session" in text
    ipt = next(m for m in catalog.frame.modalities if m.id == "ipt")
    assert not any("homework" in m.lower() for m in ipt.markers)


def test_each_trap_is_stated_once(catalog: Catalog) -> None:
    role_play = re.compile(r"\b(?:avoid\w*|skip\w*|dodg\w*)\s+role\s*play", re.I)
    interpreting = re.compile(r"interpret\w*\s+instead\s+of\s+investigat", re.I)
    rp = [e for e, t in _all_texts(catalog) if role_play.search(t)]
    it = [e for e, t in _all_texts(catalog) if interpreting.search(t)]
    assert set(rp) == {"frame:traps:avoiding_role_play"}, rp
    assert set(it) == {"frame:traps:interpreting_not_investigating"}, it


def test_adaptations_added_and_ipt_a_phases(catalog: Catalog) -> None:
    ids = {a.id for a in catalog.frame.adaptations}
    assert {"dysthymia", "bpd", "ipc", "brief_telephone", "psychotic_depression"} <= ids
    ipt_a = catalog.frame_entries["ipt_a"]
    text = " ".join(ipt_a.changes)
    assert "1-4" in text and "5-8" in text and "9-12" in text


def test_anxiety_entry_is_not_overstated(catalog: Catalog) -> None:
    entry = catalog.frame_entries["anxiety_without_interpersonal_trigger"]
    assert "nothing to work with" not in entry.description
    assert "social anxiety" in entry.description and "stronger evidence" in entry.description
    assert entry.references


def test_termination_is_framed_as_graduation(catalog: Catalog) -> None:
    assert "graduation" in catalog.phases["termination"].summary
    assert "graduation" in catalog.techniques["termination_work"].summary


def test_medication_stance_is_in_the_knowledge(catalog: Catalog) -> None:
    text = catalog.situations["medication_after_remission"].answer
    assert "six months" in text and "prescriber" in text
    for sid in ("wants_to_stop_medication", "medication_side_effects"):
        assert "prescriber" in catalog.situations[sid].answer


# -- placeholders and people -------------------------------------------------------------------------


def _templates(cat: Catalog) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    for t in cat.techniques.values():
        out += [(t.id, x) for x in t.key_phrases + t.follow_up_questions + t.how_to]
    for s in cat.situations.values():
        out += [(s.id, x) for x in s.wording + s.follow_up + [step_text(y) for y in s.steps]]
    for a in cat.focal.areas:
        for g in a.by_phase.values():
            out += [(a.id, x) for x in g.steps]
    return out


_AGREEMENT = re.compile(r"\bthey\s+(?:is|was|has|does|doesn't|wants|says|seems|thinks|feels|knows|needs|expects|"
                        r"keeps|goes|makes|gets|tells)\b", re.I)


@pytest.mark.parametrize("question", [
    "she keeps fighting with her husband", "he argues with his mother", "her partner left", "nothing about anyone",
])
def test_every_template_fills_cleanly(catalog: Catalog, question: str) -> None:
    people = people_in(question)
    for entry, t in _templates(catalog):
        assert set(placeholders_in(t)) <= PLACEHOLDERS, (entry, t)
        for voice in ("client", CLINICIAN):
            text = fill(t, people, voice)
            if text is None:
                continue
            assert "{" not in text and "}" not in text, (entry, text)
            assert not _AGREEMENT.search(text), (entry, text)


def test_no_unplaceholdered_relative_in_wording(catalog: Catalog) -> None:
    """Wording the composer shows must not hard-code a relative: it uses {other} instead."""
    nobody = People()
    for entry, t in _templates(catalog):
        assert not mismatched_relatives(neutral(t), nobody), (entry, t)


@pytest.mark.parametrize("question,word,pronoun,client", [
    ("Session 5: she keeps fighting with her husband about chores.", "husband", "he", "f"),
    ("He told me he keeps rowing with his boss", "boss", "they", "m"),
    ("A widow, session 6, grief after her husband died last year", "husband", "he", "f"),
    ("cl's mum phoned me", "mum", "she", "n"),
])
def test_people_in_the_question(question: str, word: str, pronoun: str, client: str) -> None:
    p = people_in(question)
    assert p.other is not None and p.other.word == word and p.other.pronoun("they") == pronoun
    assert p.client == client


def test_the_clients_own_role_is_not_another_person() -> None:
    p = people_in("A supervisee asks about the middle phase for a new mother.")
    assert p.other is None
    assert people_in("my client is lonely, few friends").other is None


def test_fill_never_names_an_unmentioned_relative() -> None:
    widow = people_in("Her husband died last spring and she can't stop crying.")
    assert fill("Tell me about your father.", widow) is None
    assert fill("Tell me about {other|the person who died}.", widow) == "Tell me about your husband."
    assert fill("I'll be {other}, and you say it to {them}.", people_in("he fights with his wife")) == \
        "I'll be your wife, and you say it to her."
    assert fill("Take the latest row with {other} step by step.", people_in("She fights with her husband"),
                CLINICIAN) == "Take the latest row with her husband step by step."
    assert fill("Ask {them} what {they} wanted.", People()) == "Ask them what they wanted."


# -- the matcher ---------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def cat() -> Catalog:
    return load_catalog()


@pytest.mark.parametrize("question,phase,expected", [
    ("Every week she shows up twenty minutes after we were due to start.", "middle", "late_arrivals"),
    ("He would like his wife to sit in on our next appointment.", "middle", "partner_joins_session"),
    ("She announced she has flushed her antidepressants down the toilet.", "middle", "wants_to_stop_medication"),
    ("Her late husband was a saint in her telling, never a cross word.", "middle", "idealised_deceased"),
    ("Only two sessions to go and he is dreading the end.", "termination", "termination_anxiety"),
])
def test_matcher_finds_clear_situations(cat: Catalog, question: str, phase: str, expected: str) -> None:
    from assistant.situations import match_situation

    got = match_situation(question, None, cat, phase, None)
    assert got is not None and got.id == expected, got


@pytest.mark.parametrize("question,phase", [
    ("Which techniques suit the middle phase of a role dispute?", "middle"),
    ("What should the first session cover?", "initial"),
])
def test_matcher_leaves_ordinary_questions_alone(cat: Catalog, question: str, phase: str) -> None:
    from assistant.situations import match_situation

    assert match_situation(question, None, cat, phase, None) is None


def test_risk_raises_the_bar(cat: Catalog) -> None:
    from assistant.situations import RISK_THRESHOLD, match_situation

    q = "She told me the suicidal thoughts are back after a good few weeks."
    got = match_situation(q, None, cat, "middle", None, risk=True)
    assert got is not None and got.id == "suicidal_thoughts_return" and got.score >= RISK_THRESHOLD


def test_risk_situations_need_risk_signals(cat: Catalog) -> None:
    from assistant.situations import match_situation

    q = "Session 6: can I give her a thought record for her self-criticism after fights with her boss?"
    got = match_situation(q, None, cat, "middle", "role_dispute", strict=True)
    assert got is None or got.id != "suicidal_thoughts_return"
    assert all(not s.needs_risk or s.id == "suicidal_thoughts_return" for s in cat.situations.values())


def test_exemplar_vectors_are_cached_on_disk(cat: Catalog, ipt_data_dir: Path) -> None:
    from assistant.situations import bank

    bank(cat, ipt_data_dir)
    files = list((ipt_data_dir / "situations").glob("exemplars-*.npy"))
    assert any(cat.content_hash in f.name for f in files)


# -- the labelled eval splits -----------------------------------------------------------------------


def test_eval_splits_are_labelled_and_the_test_split_is_frozen(cat: Catalog) -> None:
    import json

    base = REPO / "evals" / "situations"
    recorded = (base / "test.sha256").read_text(encoding="utf-8").split()[0]
    assert hashlib.sha256((base / "test.jsonl").read_bytes()).hexdigest() == recorded
    total = 0
    texts: dict[str, str] = {}
    for split in ("dev", "test"):
        rows = [json.loads(x) for x in (base / f"{split}.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        for r in rows:
            assert r["situation"] is None or r["situation"] in cat.situations, r["id"]
            assert isinstance(r["people"], list)
            assert r["text"] not in texts, f"{r['id']} repeats {texts.get(r['text'])}"
            texts[r["text"]] = r["id"]
        total += sum(1 for r in rows if r["situation"])
    assert total >= 200
    exemplars = {e.lower() for s in cat.situations.values() for e in s.recognise}
    assert not exemplars & {t.lower() for t in texts}


def test_changed_test_split_is_refused(tmp_path: Path) -> None:
    from assistant.evals.situations import load_split

    base = REPO / "evals" / "situations"
    shutil.copy(base / "test.jsonl", tmp_path / "test.jsonl")
    shutil.copy(base / "test.sha256", tmp_path / "test.sha256")
    assert load_split("test", tmp_path)
    with open(tmp_path / "test.jsonl", "a", encoding="utf-8") as fh:
        fh.write('{"id": "x", "text": "tuned", "situation": null, "people": []}\n')
    with pytest.raises(ValueError, match="frozen"):
        load_split("test", tmp_path)


def test_the_two_nearest_exemplars_per_situation_match_a_per_situation_search(catalog: Catalog,
                                                                           ipt_data_dir: Path) -> None:
    import numpy as np

    from assistant.situations import bank

    b = bank(catalog, ipt_data_dir)
    rng = np.random.default_rng(7)
    for sims in [rng.standard_normal(len(b.vectors)).astype(np.float32), b.vectors @ b.vectors[3],
                 np.zeros(len(b.vectors), dtype=np.float32)]:  # random, a real query (ties at 1.0), all ties
        first, second = b.top_two(sims)
        for k in range(len(b.ids)):
            part = np.sort(sims[b.starts[k]:b.starts[k + 1]])
            want = (-1.0, 0.0) if part.size == 0 else (float(part[-1]), 0.0) if part.size == 1 else \
                (float(part[-1]), max(float(part[-2]), 0.0))
            assert (first[k], second[k]) == want
