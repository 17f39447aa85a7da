"""Forms found in round 36 (new writers' read halves, then phrasings of my own): an answer given to a list of screens
together ("all 'no'", "all nil") reaches back over the list only ("Wants to be dead most days, SH and HI all 'no'"
keeps the wish); a relation that would be better off without the client is not the one at risk; a link to a
relationship stated in words of linking is an interpersonal trigger; the clinician's own no to a method in other words;
violence done to oneself is not violence to the client; a screen left for lack of time is not assessed. In the notes:
an adverb and its adjective are the same fact, a negation answered after its heading ("HW: none"), one line per section
with no labels. Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


def _status(bullets: str) -> str:
    from assistant.notes.drafting import draft_note

    return draft_note(bullets, get_catalog(), None, format="soap").facts.risk.status


# --- an answer given to a list of screens together ------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "[ ] thoughts of suicide [ ] self-harm [ ] harm to others - all 'no' on the intake form",
    "SI, SH, HI: all nil.",
    "thoughts of ending her life / self-harm / harm to others - all denied",
    "Asked re SI, SH and DV: all denied.",
])
def test_a_list_answered_together_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds, r.risk.assertion)


@pytest.mark.parametrize("text", [
    "Wants to be dead most days, SH and HI all 'no'",
    "Says she wishes she hadn't woken up, SH / HI: all nil.",
])
def test_a_statement_before_the_list_is_not_answered_by_it(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk.assertion)


# --- who would be better off without whom ---------------------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "8 wks postpartum. Says the baby would be better off without her.",
    "keeps telling me the kids would be better off without her",
])
def test_a_relation_better_off_without_the_client_is_the_clients_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk.assertion)


def test_a_relation_better_off_without_someone_else_is_no_risk() -> None:
    assert _read("her daughter would be better off without that boyfriend").risk.level is None


# --- an interpersonal link stated in words of linking ---------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "panic attacks, which she links to the weekends her ex has the children",
    "panic attacks whenever her mother-in-law comes to stay",
])
def test_anxiety_linked_to_a_relationship_has_a_trigger(text: str) -> None:
    assert "anxiety_without_interpersonal_trigger" not in _read(text).stabilise_first, text


@pytest.mark.parametrize("text", [
    "panic attacks in supermarkets, not linked to anything in her relationships",
    "panic attacks every time she drives over a bridge",
])
def test_anxiety_with_no_link_stated_has_none(text: str) -> None:
    assert "anxiety_without_interpersonal_trigger" in _read(text).stabilise_first, text


# --- the clinician's own no to a method, in other words -------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "She asked me what her recurring dream means. I don't want to go down that road - what do I say?",
    "He brought a dream about his dad. I'm not interpreting it, but can it open up talk about the relationship?",
    "My supervisor suggested an empty chair for her late mum; I'd rather do the IPT reconstruction. Where do I start?",
])
def test_a_method_declined_in_other_words_is_not_asked_for(text: str) -> None:
    assert _read(text).request.out_of_frame == [], text


def test_doing_too_little_of_a_method_is_not_declining_it() -> None:
    assert "exposure" in _read("Should I add more exposure? I'm not doing enough of it.").request.out_of_frame


# --- violence done to oneself ---------------------------------------------------------------------------------------

def _rules_ipv(text: str) -> list:
    """The rules' and probes' partner violence read as the client's (the reader's possible risk aside: it may still ask)."""
    return [s for s in _read(text).signals.items if s.category == "ipv" and s.source != "reader" and s.present]


def test_a_partner_hitting_himself_is_not_partner_violence() -> None:
    assert _rules_ipv("her partner hits himself in the face when they row") == []


def test_a_partner_hitting_her_is() -> None:
    assert _rules_ipv("her partner hits her when they row")


# --- a screen left for lack of time; a question about safety answered -----------------------------------------------

@pytest.mark.parametrize("bullets, status", [
    ("- s4 transition\n- didn't have time for the risk screen, pt left early\n- HW: call sister", "not_assessed"),
    ("- s4 transition\n- not enough time to ask re SI today\n- HW: call sister", "not_assessed"),
    ("- s7 dispute w boss\n- asked re safety: \"god no, nothing like that\"\n- HW: email boss", "denied"),
])
def test_risk_status_of_a_screen_left_or_answered_in_words(bullets: str, status: str) -> None:
    assert _status(bullets) == status


def test_a_friend_named_after_the_clients_gloss_owns_the_overdose() -> None:
    assert _status("- s3 grief - pt (M, 19) friend died (overdose) in march\n- PHQ-9 18\n- HW: write 1 memory") \
        != "present"


# --- notes: the same fact in another form ---------------------------------------------------------------------------

def _note(bullets: str, draft: str, fmt: str = "soap"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


_BULLETS = ("- s14/16 transition to carer for dad\n- PHQ-9 9\n"
            "- denies SI (except \"once, briefly, in feb\", none since)\n- HW: list warning signs\n- nxt: s15 consolidate")


def test_an_adverb_written_as_its_adjective_is_the_bullets_fact() -> None:
    draft = ("Subjective: Session 14 of 16 on her transition to caring for her father.\n"
             "Objective: PHQ-9 score was 9.\n"
             "Assessment: She denied suicidal ideation apart from one brief episode in February, none since.\n"
             "Plan: She will list her warning signs; session 15 will consolidate.")
    note = _note(_BULLETS, draft)
    assert note.mode == "llm" and not [f for f in note.flags if f.code == "unsupported_claim"], note.flags


def test_a_grade_the_bullets_never_gave_is_still_flagged() -> None:
    draft = ("Subjective: Session 14 of 16 on her transition to caring for her father.\n"
             "Objective: PHQ-9 score was 9.\n"
             "Assessment: Her risk is low; she denied suicidal ideation apart from one brief episode in February.\n"
             "Plan: She will list her warning signs; session 15 will consolidate.")
    assert "Her risk is low" not in _note(_BULLETS, draft).text


def test_a_note_with_one_unlabelled_line_per_section_keeps_the_model_draft() -> None:
    bullets = "- s8/16 dispute w partner\n- PHQ-9 11\n- comm analysis of sun row\n- HW: 15 min check-in x3"
    draft = ("Session 8 of 16 continued the work on the dispute with her partner.\n"
             "Her PHQ-9 score was 11.\n"
             "We did a communication analysis of Sunday's row.\n"
             "For homework she will hold a 15-minute check-in three times.")
    assert _note(bullets, draft).mode == "llm"


def test_a_note_with_more_lines_than_sections_is_not_split_by_lines() -> None:
    from assistant.notes.sanitise import paragraph_sections

    text = "one line\ntwo line\nthree line\nfour line\nfive line"
    assert paragraph_sections(text, ("Subjective", "Objective", "Assessment", "Plan")) is None


def test_the_grounding_evidence_built_before_the_model_is_asked_is_reused() -> None:
    from assistant.notes import factcheck
    from assistant.signals.detect import normalise_text

    cat = get_catalog()
    bullets = "- s5 dispute w sister\n- PHQ-9 12\n- comm analysis of the call"
    clauses = ["s5 dispute w sister", "PHQ-9 12", "comm analysis of the call"]
    factcheck.prepare_check(clauses, cat, bullets)
    key = (normalise_text(bullets), tuple(clauses), str(getattr(cat, "content_hash", id(cat))))
    built = factcheck._GROUNDINGS[key]  # built by prepare_check, before any reply
    assert factcheck.grounding(normalise_text(bullets), clauses, cat) is built
    assert factcheck.grounding(normalise_text(bullets + "\n- HW: text her"), clauses, cat) is not built
