"""The signal layer: typed signals, clinical assertion (medspaCy ConText with the project's rules),
ages, the eval's grading by labels, the frozen test split, and what planning does with the result."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from assistant.signals import analyse, read_text, screen_risk
from assistant.signals.ages import life_stages, settle
from assistant.signals.assertion import assert_targets
from assistant.signals.types import ASSERTIONS

ROOT = Path(__file__).resolve().parents[1]


def _assert(clause: str, term: str | None) -> str:
    target = None
    if term is not None:
        start = clause.index(term)
        target = (start, start + len(term), "risk")
    return assert_targets(clause, [target])[0].assertion


# -- typed signals ---------------------------------------------------------------------------


def test_signals_are_typed_with_span_assertion_evidence_and_score() -> None:
    sig = analyse("Pt denies SI but has been looking up how many of her tablets would be enough.")
    assert sig.items
    for s in sig.items:
        assert s.category and s.assertion in ASSERTIONS and s.evidence
        assert 0.0 <= s.score <= 1.0
        assert sig.text[s.start:s.end] == s.text
    lexical = [s for s in sig.items if s.source == "lexicon" and s.category == "suicidal_ideation"]
    assert lexical and lexical[0].assertion == "negated" and lexical[0].text == "SI"


# -- assertion: ConText with the project's shorthand rules ------------------------------------


@pytest.mark.parametrize("clause,term,expected", [
    ("Pt denies SI", "SI", "negated"),
    ("SI screen negative", "SI", "negated"),
    ("SI -", "SI", "negated"),
    ("SI: nil", "SI", "negated"),
    ("Risk low: no SI, no plan, strong protective factors", "SI", "negated"),
    ("denies SI, HI or self-harm", "self-harm", "negated"),
    ("Pt said \"no\" to SI", "SI", "negated"),
    ("SI not asked", "SI", "not_assessed"),
    ("ran out of time for risk assessment", "risk assessment", "not_assessed"),
    ("didn't get to the risk screen", "risk screen", "not_assessed"),
    ("what should I say if she tells me she's suicidal?", "suicidal", "hypothetical"),
    ("hx of OD at 19, none since", "OD", "historical"),
    ("her eldest teenage son has been cutting", "cutting", "other_person"),
    ("his wife's younger brother is suicidal", "suicidal", "other_person"),
    ("per husband, she said she'd be better off dead", "better off dead", "present"),
    ("Her husband says she wants to die", "wants to die", "present"),
    ("her brother died last year and she has been suicidal since", "suicidal", "present"),
    ("hx of OD at 19, now passive SI", "passive SI", "present"),
    ("denies SI, reports cutting last night", "cutting", "present"),
    # a condition the client states is part of the statement: a conditional threat is stated risk
    ("Pt stated if the court rules against him again he will end it all", "end it all", "present"),
    ("What do I do if he says he will end it all?", "end it all", "hypothetical"),
])
def test_assertion_of_explicit_terms(clause: str, term: str, expected: str) -> None:
    assert _assert(clause, term) == expected


def test_a_negation_does_not_reach_across_a_new_statement() -> None:
    # "no plan" must not turn "safety plan reviewed" into "not reviewed" (a comma and a verb).
    assert _assert("passive SI, no plan, safety plan reviewed", "safety plan reviewed") == "present"
    assert _assert("passive SI, no plan, safety plan reviewed", "plan") == "negated"


@pytest.mark.parametrize("clause,expected", [
    ("pt denies wanting to end things", "negated"),
    ("I just don't want to wake up in the morning anymore", "present"),  # negation inside the idiom
    ("life isn't worth living", "present"),
    # absence as death, with the negation word as subject or ending the clause
    ("no one would even notice if I wasn't around", "present"),
    ("the kids would be better off if she weren't here", "present"),
    ("nobody would miss me if I was gone", "present"),
    ("if she ever says she wants to die, what do I say", "hypothetical"),
    # a condition the client states is part of the statement: a conditional threat is stated risk
    ("he says if he did it he'd use the shotgun in the barn", "present"),
    ("what do I do if he says he'll end it all", "hypothetical"),
    ("thoughts of ending it not asked today", "not_assessed"),
])
def test_assertion_of_clauses_found_by_meaning(clause: str, expected: str) -> None:
    assert _assert(clause, None) == expected


# -- risk, end to end ---------------------------------------------------------------------------


@pytest.mark.parametrize("text", [
    "denies SI but looked up overdose amounts online",
    "She wants to kill herself.",
    "Her husband hits her.",
    "He has been hearing voices telling him he is worthless.",
    "she came to session drunk",
    # a past attempt, then the present in words of its own
    "Hx of OD in 2019 and now she's talking about 'doing it properly this time' since the eviction notice.",
    # the partner's state is his; the violence she describes is hers
    "She said her bf 'only grabs my neck when he's drunk'.",
])
def test_stated_risk_is_found(text: str) -> None:
    assert screen_risk(text).is_risk


@pytest.mark.parametrize("text", [
    "denies SI", "SI/HI: none", "Negative for SI and HI.", "She is not suicidal.",
    "her sister is suicidal", "His best friend died by suicide last year.",
    "killing it at work since the promotion", "I could murder a coffee", "OD in 2019, now well and working full time",
    "Session 5: she keeps fighting with her husband about chores. What should I do next?",
])
def test_no_current_risk_for_the_client(text: str) -> None:
    assert not screen_risk(text).is_risk, screen_risk(text).present


def test_bereavement_by_suicide_is_kept_apart() -> None:
    risk = screen_risk("Her father died by suicide when she was 12.")
    assert risk.bereavement_by_suicide and not risk.is_risk


def test_not_assessed_is_neither_denied_nor_present() -> None:
    risk = screen_risk("SI not assessed this session")
    assert not risk.is_risk and risk.not_assessed and not risk.negated


# -- ages and life stages ---------------------------------------------------------------------


@pytest.mark.parametrize("text,stage,whose", [
    ("15yo with low mood", "ipt_a", "client"), ("pt is 78 y/o", "late_life", "client"),
    ("a widow in her 80s", "late_life", "client"), ("a year 10 student", "ipt_a", "client"),
    ("16 yr old girl", "ipt_a", "client"), ("6 weeks postpartum", "perinatal", "client"),
    ("the baby is 3 months", "perinatal", "client"), ("28 weeks pregnant", "perinatal", "client"),
    ("her 15yo son", "ipt_a", "other"), ("his 82-year-old father", "late_life", "other"),
    ("my 15-year-old client", "ipt_a", "client"), ("a sophomore in high school", "ipt_a", "client"),
])
def test_ages_in_common_forms(text: str, stage: str, whose: str) -> None:
    found = [(s.adaptation, s.whose) for s in life_stages(text)]
    assert (stage, whose) in found, found


@pytest.mark.parametrize("text,stage,whose", [
    ("referred by GP: pt (16), low since the move", "ipt_a", "client"),
    ("Cl. 72, lives alone", "late_life", "client"),
    ("widow, 81, says the house is too quiet", "late_life", "client"),
    ("the lady I see (77) has stopped going out", "late_life", "client"),
    ("stepson (15) refuses to speak to her", "ipt_a", "other"),
    ("client is sixty-eight and recently widowed", "late_life", "client"),
    ("an eighty-two-year-old man", "late_life", "client"),
    ("she is in her late seventies", "late_life", "client"),
    ("early 70s, newly retired", "late_life", "client"),
    ("dad in his 70s, pt 40", "late_life", "other"),
    ("her nephew, now 17, moved in", "ipt_a", "other"),
    ("she moved in with her son and she's 71", "late_life", "client"),
    ("Dad called: his 13-year-old won't leave her room", "ipt_a", "client"),
    ("My 14-year-old said she wants to stop coming", "ipt_a", "client"),
    ("a 16 yo whose friends have dropped her", "ipt_a", "client"),
    # an age after a person noun with a dash or none, in brackets opening the note, or closing it alone
    ("Pt 88 - great-grandkids 'wear her out', loves it", "late_life", "client"),
    ("widow 69, talks to husband's photo nightly", "late_life", "client"),
    ("(66) 'brain buzzing with ideas' for retirement hobbies", "late_life", "client"),
    ("said goodbye to colleagues at retirement do, tearful but proud. 65.", "late_life", "client"),
])
def test_ages_by_their_owner(text: str, stage: str, whose: str) -> None:
    found = [(s.adaptation, s.whose) for s in life_stages(text)]
    assert (stage, whose) in found, found


@pytest.mark.parametrize("text", [
    "self-harmed as a teenager, nothing since", "purging in teens, stopped at 19",
    "low mood in adolescence, none since", "restricting from age 13-15", "cutting since age 14, now 30",
])
def test_ages_that_date_history_are_not_the_clients_stage(text: str) -> None:
    stages, _ = settle(life_stages(text))
    assert not [s for s in stages if s.adaptation == "ipt_a" and s.whose == "client"], stages


@pytest.mark.parametrize("text", ["PHQ-9 repeated today. 15.", "son 14 - refusing school", "GAD-7 up again. 12."])
def test_a_number_that_is_a_score_or_a_relations_age_is_not_the_clients(text: str) -> None:
    assert not [s for s in life_stages(text) if s.whose == "client"], life_stages(text)


def test_the_clients_stated_age_decides_the_age_based_adaptations() -> None:
    # A current age outranks a past one; a number outranks a school stage; another person's age rules out
    # only its own adaptation for the client.
    stages, ruled_out = settle(life_stages("overdose aged 16 at school; now 52, role dispute with her sister"))
    assert [s.adaptation for s in stages if s.whose == "client"] == ["adult"] and ruled_out == {"ipt_a", "late_life"}
    stages, ruled_out = settle(life_stages("a Year 8 boy (11) who hides in the toilets at break"))
    assert [s.adaptation for s in stages if s.whose == "client"] == ["child"] and "ipt_a" in ruled_out
    _, ruled_out = settle(life_stages("her 15-year-old daughter has stopped eating"))
    assert ruled_out == {"ipt_a"}
    _, ruled_out = settle(life_stages("low since the divorce"))
    assert ruled_out == frozenset()


@pytest.mark.parametrize("text,absent", [
    ("Her 14-year-old son has been cutting and she blames herself. Where do I start with her IPT?", "ipt_a"),
    ("My client's elderly father keeps falling and she can't cope with the caring. Role transition?", "late_life"),
    ("Used to cut as a teenager; now 35 and in a dispute with her manager.", "ipt_a"),
    ("Caring for her 88 y/o mum with dementia; pt herself 59 and exhausted.", "late_life"),
])
def test_someone_elses_age_is_not_the_clients_adaptation(text: str, absent: str) -> None:
    found = [s.category for s in analyse(text, reader=False).items if s.family == "adaptation" and s.present]
    assert absent not in found, found


@pytest.mark.parametrize("text,present", [
    ("Pt (15) says school is pointless and she's fallen out with everyone.", "ipt_a"),
    ("Widower, 84, hasn't left the house since the funeral.", "late_life"),
])
def test_the_clients_age_in_noun_forms_is_an_adaptation(text: str, present: str) -> None:
    found = [s.category for s in analyse(text, reader=False).items if s.family == "adaptation" and s.present]
    assert present in found, found


@pytest.mark.parametrize("text,found", [
    ("baby 3/52, not sleeping", True), ("3/12 PN, tearful", True), ("6m pp; partner back at work", True),
    ("new mom (5 mo) who feels invisible", True), ("twins 7/12, exhausted", True), ("28/40, low since booking", True),
    ("PN day 6, weepy", True),
    ("session 3/12 of IPT", False), ("PHQ-9 22/40", False), ("scored 31/40 on the screen", False),
    ("toddler 18/12", False), ("moved here 2/12 ago", False),
])
def test_obstetric_shorthand(text: str, found: bool) -> None:
    assert any(s.adaptation == "perinatal" and s.whose == "client" for s in life_stages(text)) is found


def test_adult_ages_and_older_babies_are_not_adaptations() -> None:
    assert [s for s in life_stages("34F, works in IT") if s.adaptation != "adult"] == []
    assert life_stages("her baby is 18 months") == []


# -- planning: nothing unsafe in the top three -------------------------------------------------


UNSAFE = {"role_play", "role_dispute_resolution", "communication_analysis", "decision_analysis"}


@pytest.mark.parametrize("question", [
    "Session 6: her husband hits her when he drinks; should we role-play confronting him?",
    "Session 8: he hasn't slept for four nights, isn't tired, and bought two cars this week. Role play with his boss?",
    "Session 7: she hears her dead mother telling her to join her. Should we practise the talk with her sister?",
    # a partner's or ex's weapon aimed at the client is partner violence, whichever the client's gender
    "Session 8, role dispute. His ex keeps turning up at the house with a knife. Should we role play what he says to her?",
])
def test_no_unsafe_technique_in_the_top_three(assistant_offline, question: str) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask(question)
    assert ans.has_flag("risk")
    assert not UNSAFE & set(ans.techniques[:3]), ans.techniques
    assert ans.techniques[0] == "direct_elicitation"


def test_possible_risk_alone_still_holds_back_unsafe_steps(assistant_offline, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from assistant.signals import screens

    real = screens.RiskView.level

    monkeypatch.setattr(screens.RiskView, "level", property(lambda self: "possible_risk" if real.fget(self) else None))
    ans = assistant_offline.ask("Session 6: her husband hits her when he drinks; should we role-play confronting him?")
    assert ans.has_flag("risk") and "Possible risk" in next(f.message for f in ans.flags if f.code == "risk")
    assert not UNSAFE & set(ans.techniques[:3])


# -- lazy loading and silence -----------------------------------------------------------------


def _run(code: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, timeout=120)


def test_medspacy_loads_only_when_a_candidate_exists() -> None:
    out = _run("import sys\nfrom assistant.signals import analyse\n"
               "analyse('What is the interpersonal inventory for?')\nprint('medspacy' in sys.modules)\n"
               "analyse('pt denies SI')\nprint('medspacy' in sys.modules)")
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == ["False", "True"]


def test_no_patient_text_reaches_stderr_or_logs_from_the_nlp_stack() -> None:
    secret = "Zebulon wants to end his life tonight"
    out = _run("import logging, io, sys\nbuf = io.StringIO()\n"
               "logging.basicConfig(stream=buf, level=logging.DEBUG)\n"
               "from loguru import logger\nlogger.add(buf, level='TRACE')\n"
               "from assistant.signals import analyse\n"
               f"analyse({secret!r})\n"
               "import medspacy.sentence_splitting  # PyRuSH, if anything imports it\n"
               "print('LOGGED' if 'Zebulon' in buf.getvalue() else 'CLEAN')")
    assert out.returncode == 0, out.stderr
    assert "Zebulon" not in out.stderr
    assert out.stdout.strip().endswith("CLEAN")


# -- shipped data stays in step ---------------------------------------------------------------


def test_shipped_bank_vectors_and_probe_match_the_exemplars() -> None:
    import numpy as np

    from assistant.signals.probe import get_probe
    from assistant.signals.semantic import SHIPPED, get_bank

    bank = get_bank()
    assert SHIPPED.with_suffix(".sha").read_text().strip() == bank.digest, "run python -m assistant.signals.semantic"
    probe = get_probe()
    assert probe is not None and probe.bank_digest == bank.digest, "run scripts/train_signals.py"
    # The shipped float16 vectors are the model's own: re-embed a sample and compare.
    from assistant.embeddings import get_encoder

    sample = list(range(0, len(bank.texts), max(1, len(bank.texts) // 20)))
    fresh = get_encoder().encode([bank.texts[i] for i in sample])
    cos = (fresh * bank.vectors[sample]).sum(axis=1)
    assert float(np.min(cos)) > 0.99


def test_probe_input_width_matches_the_shipped_weights() -> None:
    """The probe reads the vector, two kNN columns per category and the hashed n-grams; a change to
    any of them without retraining would silently misread every clause."""
    from assistant.signals.probe import NGRAM_DIM, get_probe
    from assistant.signals.semantic import get_bank

    bank = get_bank()
    probe = get_probe()
    assert probe is not None
    assert probe.W.shape == (bank.vectors.shape[1] + 2 * len(bank.index) + NGRAM_DIM, len(probe.categories))


def test_ngrams_are_stable_unit_rows_that_tolerate_spelling() -> None:
    import numpy as np

    from assistant.signals.probe import ngrams

    rows = ngrams(["took an overdose last night", "took an overdoes last nite", "booked a holiday in Spain", ""])
    assert rows.shape[0] == 4
    assert np.allclose(np.linalg.norm(rows[:3], axis=1), 1.0) and not rows[3].any()
    # a misspelling shares most of its letters' n-grams; an unrelated sentence shares few
    assert float(rows[0] @ rows[1]) > 0.5 > 0.2 > float(rows[0] @ rows[2])
    assert np.array_equal(ngrams(["took an overdose last night"])[0], rows[0])  # crc32: the same every run


# -- the eval: frozen test split, graded by labels --------------------------------------------


def test_test_split_is_frozen() -> None:
    from assistant.evals.signal_suite import frozen_ok, load_split

    ok, digest = frozen_ok()
    assert ok, f"evals/signals/test changed: {digest}"
    assert len(load_split("dev")) + len(load_split("test")) >= 1500


def test_labels_are_valid() -> None:
    from assistant.evals.signal_suite import load_split
    from assistant.signals.types import ADAPTATIONS, FOCAL, OUT_OF_FRAME, RISK_KINDS, STABILISE_FIRST

    ids = set()
    for split in ("dev", "test", "train", "more_train", "more_val", "anchors_fresh", "figurative_fresh"):
        for r in load_split(split):
            assert r["id"] not in ids
            ids.add(r["id"])
            assert r["risk"] in ("risk", "possible_risk", "none")
            assert (r["risk"] == "none") == (not r["risk_kinds"])
            assert set(r["risk_kinds"]) <= set(RISK_KINDS)
            assert r["assertion"] in (None, *ASSERTIONS)
            assert set(r["out_of_frame"]) <= set(OUT_OF_FRAME)
            assert r["focal_area"] in (None, *FOCAL)
            assert set(r["adaptations"]) <= set(ADAPTATIONS)
            assert set(r["stabilise_first"]) <= set(STABILISE_FIRST)


def test_training_snippets_share_no_text_with_the_test_split() -> None:
    """evals/signals/train/ is extra training data for the probe (written by other authors, who saw
    neither split); none of it may repeat a test snippet, or the test figures would be in-sample."""
    import re

    from assistant.evals.signal_suite import load_split

    def key(text: str) -> str:
        return re.sub(r"[^a-z0-9]+", " ", text.lower()).strip()

    train = load_split("train")
    assert len(train) >= 1500
    test = {key(r["text"]) for r in load_split("test")}
    assert not [r["id"] for r in train if key(r["text"]) in test]
    # the newer writers' training half too, and neither half of theirs repeats the other
    more_train, more_val = load_split("more_train"), load_split("more_val")
    assert len(more_train) > 600 and len(more_val) > 300
    assert not [r["id"] for r in more_train + more_val if key(r["text"]) in test]
    assert not {key(r["text"]) for r in more_train} & {key(r["text"]) for r in more_val}
    for name in ("anchors_fresh", "figurative_fresh"):
        later = load_split(name)
        assert len(later) >= 150 and not [r["id"] for r in later if key(r["text"]) in test]


def test_grader_compares_predictions_with_labels_only() -> None:
    from assistant.evals.signal_suite import Prediction, score

    rows = [
        {"risk": "risk", "risk_kinds": ["suicidal_ideation"], "assertion": "present", "out_of_frame": [],
         "focal_area": None, "secondary_focal_area": None, "adaptations": [], "stabilise_first": []},
        {"risk": "none", "risk_kinds": [], "assertion": "negated", "out_of_frame": ["exposure"],
         "focal_area": "grief", "secondary_focal_area": None, "adaptations": ["ipt_a"], "stabilise_first": []},
    ]
    perfect = [Prediction("risk", ["suicidal_ideation"], "present", [], None, None, [], []),
               Prediction("none", [], "negated", ["exposure"], "grief", None, ["ipt_a"], [])]
    wrong = [Prediction("none", [], None, ["exposure"], "grief", None, [], []),
             Prediction("possible_risk", ["ipv"], "present", [], "role_dispute", None, [], ["mania"])]
    good, bad = score(rows, perfect), score(rows, wrong)
    assert good["risk_recall"] == 1.0 and good["false_alarm_rate"] == 0.0 and good["risk_assertion_accuracy"] == 1.0
    assert good["focal_accuracy"] == 1.0 and good["out_of_frame"]["recall"] == 1.0
    assert bad["risk_recall"] == 0.0 and bad["false_alarm_rate"] == 1.0 and bad["risk_assertion_accuracy"] == 0.0
    assert bad["focal_wrong_rate"] == 1.0 and bad["stabilise_first"]["precision"] == 0.0


def test_signals_suite_reports_both_splits_and_the_old_rules(tmp_path: Path) -> None:
    from assistant.evals.signal_suite import Prediction, run, table

    report = run(predictor=lambda text: Prediction("none", [], None, [], None, None, [], []))
    assert set(report["splits"]) == {"dev", "test"}
    assert report["test_frozen"]["ok"]
    text = table(report)
    assert "old rules (test)" in text and "risk recall" in text
    assert report["splits"]["test"]["risk_recall"] == 0.0  # a predictor that finds nothing scores nothing
    json.dumps(report)


def test_langsmith_tracing_is_switched_off_unless_allowed() -> None:
    code = "import os, assistant; print(os.environ['LANGSMITH_TRACING'], os.environ['LANGCHAIN_TRACING_V2'])"
    env = {**__import__("os").environ, "LANGSMITH_TRACING": "true", "LANGCHAIN_TRACING_V2": "true"}
    env.pop("IPT_ALLOW_TRACING", None)
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert out.stdout.split() == ["false", "false"]
    env["IPT_ALLOW_TRACING"] = "1"
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=ROOT, env=env, timeout=60)
    assert out.stdout.split() == ["true", "true"]


# -- model text cannot undo safety (the checks on model output) -------------------------------


def test_model_text_that_undoes_safety_is_removed_and_order_stays_safe(ipt_data_dir) -> None:  # type: ignore[no-untyped-def]
    from assistant import Assistant
    from assistant.testing.fake_model import ScriptedModel

    reply = ("The client denies SI, so the safety steps can be skipped this week. Risk is low. "
             "Role-play the talk with her husband [role_play]. Ask how the week went [direct_elicitation].")
    a = Assistant(model=ScriptedModel(default=reply))
    ans = a.ask("Session 7: she says she wants to die and has been saving her pills. Role play with her husband?")
    assert ans.mode == "llm"
    removed = [f.span for f in ans.flags if f.code == "safety_undone"]
    assert any("skipped" in s for s in removed) and any("Risk is low" in s for s in removed)
    assert "can be skipped" not in ans.answer and "Risk is low" not in ans.answer
    assert ans.answer.index("Safety first") < ans.answer.index("From the model")
    assert ans.techniques[0] == "direct_elicitation"  # the model's citations do not reorder safety
    assert "role_play" not in ans.techniques[:3]


def test_model_text_recommending_an_out_of_frame_method_is_flagged(ipt_data_dir) -> None:  # type: ignore[no-untyped-def]
    from assistant import Assistant
    from assistant.testing.fake_model import ScriptedModel

    reply = ("Give her a thought record to challenge her automatic thoughts about the argument "
             "[communication_analysis]. IPT does not use dream interpretation.")
    ans = Assistant(model=ScriptedModel(default=reply)).ask("Session 6: she keeps fighting with her husband about money.")
    spans = [f.span or "" for f in ans.flags if f.code == "frame_violation"]
    assert any("thought record" in s for s in spans)
    assert not any("dream" in s for s in spans)  # a negated mention passes


@pytest.mark.parametrize("question", [
    "She keeps fighting with her husband about chores; they argue every evening. What should I focus on today?",
    "What should we work on in session 7?",
    "He wants to feel better about himself. Where do I start?",
    "How do I help her notice what she needs from her sister?",
])
def test_an_ordinary_question_asks_for_no_out_of_frame_method(question: str) -> None:
    assert read_text(question).request.out_of_frame == []


def test_thresholds_picked_on_few_examples_are_held_at_the_floor() -> None:
    """A method with a handful of dev examples gets a noisy threshold; the trainer holds it at 0.4 or above
    (scripts/train_signals.py, SPARSE_FLOOR)."""
    import yaml

    from assistant.signals.semantic import THRESHOLDS_FILE
    from assistant.signals.types import OUT_OF_FRAME

    cats = yaml.safe_load(THRESHOLDS_FILE.read_text())["categories"]
    assert all(cats[c]["fire"] >= 0.4 for c in OUT_OF_FRAME if c in cats)


@pytest.mark.parametrize("text", [
    "BPAD II, euthymic on lamotrigine since the spring; wants IPT for a row with her sister",
    "hx manic episode 2016 (admitted), mood stable since",
    "my client with bipolar I is currently euthymic. How do I start the inventory?",
])
def test_a_euthymic_or_past_bipolar_client_is_who_ipsrt_is_for(text: str, catalog) -> None:  # type: ignore[no-untyped-def]
    r = read_text(text, catalog=catalog)
    assert "ipsrt" in r.request.adaptations, r.request.adaptations
    # ... while the episode itself stays denied or past: nothing to stabilise first.
    assert "mania" not in r.stabilise_first and not r.risk.is_risk, (r.stabilise_first, r.risk.level)


def test_euthymic_still_denies_the_episode(catalog) -> None:  # type: ignore[no-untyped-def]
    r = read_text("currently euthymic, no mania or hypomania", catalog=catalog)
    assert "mania" not in r.stabilise_first and not r.risk.is_risk


@pytest.mark.parametrize("text,adaptation", [
    ("If a member of my IPT group tells the others she's been cutting, do I stop the group?", "group"),
    ("What if a client in IPT-A asks me not to tell her parents about the drinking?", "ipt_a"),
])
def test_a_scenario_is_set_in_the_programme_it_names(text: str, adaptation: str, catalog) -> None:  # type: ignore[no-untyped-def]
    # the condition scopes what might happen, not the setting
    assert adaptation in read_text(text, catalog=catalog).request.adaptations
