"""Forms found in round 37 (new writers' read halves, then phrasings of my own): a question written as a question in
the note with its answer after the question mark ("Harming self? -> no"); a hyphen inside a word is no break before an
answer ("suicidal thoughts and self-harm - a clear no to both"); an answer to a list said last on its line ("all nil");
the others who would manage without the client; a means still kept; a future the client does not expect to see; a
relation described by a clause of its own between commas; methods outside the frame described in plain words, and
declined or done by the client alone. In the notes: a rating's move read from its two numbers, a number written as a
word, a quotation with an article added. Each pair differs in the one fact that
decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


# --- a question in the note, its answer after the question mark -------------------------------------------------

@pytest.mark.parametrize("text", [
    "Any thoughts of harming baby? -> no. Harming self? -> no. Bonding improving.",
    "SI? N",
    "thoughts of suicide? denies",
    "Any thoughts of hurting the baby? No",
])
def test_a_question_answered_no_after_its_mark_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds, r.risk.assertion)


@pytest.mark.parametrize("text", ["SI? Y", "SI? yes, daily"])
def test_a_question_answered_yes_after_its_mark_is_risk(text: str) -> None:
    r = _read(text)
    assert r.risk.level == "risk" and r.risk.assertion == "present", (text, r.risk.assertion)


def test_a_question_left_unasked_after_its_mark_is_not_assessed() -> None:
    r = _read("SI? Not asked")
    assert r.risk.level is None and r.risk.assertion == "not_assessed", r.risk.assertion


def test_a_hyphen_inside_a_word_is_no_break_before_the_answer() -> None:
    r = _read("I screened for suicidal thoughts and self-harm today — a clear no to both, and she's future-focused.")
    assert r.risk.level is None and r.risk.assertion == "negated", (r.risk.kinds, r.risk.assertion)


# --- an answer to a list said last on its line ------------------------------------------------------------------

@pytest.mark.parametrize("text", ["SI / SH / HI - all nil", "SI, SH: all no"])
def test_a_list_answered_at_the_end_of_its_line_is_denied(text: str) -> None:
    r = _read(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.kinds)


def test_all_no_followed_by_a_word_answers_nothing() -> None:
    r = _read("she says her friends were all no help and she wants to die")
    assert r.risk.level == "risk" and "suicidal_ideation" in r.risk.kinds


# --- the others who would do fine without the client ------------------------------------------------------------

@pytest.mark.parametrize("text", [
    "says the family would manage fine without her",
    "thinks they'd all be happier without her around",
    "the kids would get by without me, she says",
    "keeps saying she's just a weight on everyone",
    "Her mum and sister would cope better without her, she reckons",
])
def test_others_doing_fine_without_the_client_is_a_warning_sign(text: str) -> None:
    r = _read(text)
    assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk.level)


@pytest.mark.parametrize("text", [
    "she thinks she'd manage fine without him",
    "her husband would be fine without her help this weekend",
    "her husband would manage without her for the weekend",
    "her mum and dad would be fine without her for the weekend",
])
def test_managing_without_someone_else_or_without_her_help_is_no_risk(text: str) -> None:
    assert _read(text).risk.level is None, text


# --- means still kept; a future not expected ---------------------------------------------------------------------

def test_means_still_kept_is_risk() -> None:
    r = _read("Sleep better, work ok – still has the pills in the glovebox")
    assert r.risk.level == "risk" and "suicide_plan" in r.risk.kinds and r.risk.assertion == "present"


def test_ordinary_medicine_still_taken_is_no_risk() -> None:
    assert _read("still has her blood pressure tablets in the dosette").risk.level is None


def test_a_future_not_expected_is_a_warning_sign() -> None:
    r = _read("Interview prep; role-played asking for feedback (said 'won't matter after Xmas anyway')")
    assert r.risk.level == "possible_risk"


def test_a_grade_that_will_not_matter_is_no_risk() -> None:
    assert _read("the grade won't matter after the exams, she knows that").risk.level is None


# --- a relation described by a clause of its own ----------------------------------------------------------------

def test_a_relation_set_off_by_commas_owns_its_clause() -> None:
    r = _read("She lives with her mum, who self-harms, and she wants to die herself")
    assert r.risk.level == "risk" and "self_harm" not in r.risk.kinds and "suicidal_ideation" in r.risk.kinds


def test_violence_told_in_the_clients_words_after_a_relation_is_hers() -> None:
    r = _read("Client (31) mentioned that her husband 'put his hands round my neck, but only for a second, "
              "he was just angry'.")
    assert r.risk.level == "risk" and "ipv" in r.risk.kinds and r.risk.assertion == "present"


# --- methods outside the frame in plain words, declined, or done alone ------------------------------------------

@pytest.mark.parametrize("text, method", [
    ("nxt wk - challenge 'I always ruin things', look for counter-evidence, come up w/ alternative thought",
     "cognitive_restructuring"),
    ("I was going to get her to track those moments - what she told herself and how strong the feeling was. "
     "Good idea?", "thought_records"),
    ("plan: open sess with no agenda, pt to say anything that comes to mind, I stay quiet", "free_association"),
    ("I'm tempted to have her replay the crash in her mind over and over in session until it stops getting to her.",
     "exposure"),
    ("Should I dig into his early family life to find the roots before working on relationships now?",
     "childhood_exploration"),
    ("HW: 10 min sitting w/ breath each morning, noticing thoughts & letting them pass", "mindfulness_training"),
])
def test_a_method_described_in_plain_words_is_out_of_frame(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, text


@pytest.mark.parametrize("text", [
    "Supervisor suggested thought records for my client, but I'd rather stay in IPT. How do I link her low mood "
    "to the fights with her partner instead?",
    "She mentioned she's been using a mindfulness app on her own, which is fine, but I want to keep our sessions on "
    "the role transition.",
    "pt did a thought record on her own from a self-help book; used it only to pin down the interpersonal trigger",
    "Is it ok to ask briefly about her relationships with her parents growing up as part of the inventory, without "
    "turning it into childhood work?",
])
def test_a_method_declined_or_done_alone_is_not_asked_for(text: str) -> None:
    assert _read(text).request.out_of_frame == [], text


def test_a_method_done_alone_and_then_asked_for_is_asked_for() -> None:
    r = _read("She's been doing thought records on her own - should I build them into our sessions?")
    assert "thought_records" in r.request.out_of_frame


# --- notes: the same fact in another form -----------------------------------------------------------------------

def _note(bullets: str, draft: str, fmt: str = "soap"):  # noqa: ANN202 - a Note
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    return draft_note(bullets, get_catalog(), ScriptedModel(replies=[draft]), format=fmt)


def _unsupported(note) -> list[str]:  # noqa: ANN001 - a Note
    return [f.span or "" for f in note.flags if f.code == "unsupported_claim"]


_ANXIETY = ("- s9/16 interpersonal deficits\n- went to climbing club wed, spoke to 1 person (Sam)\n"
            "- rated anxiety {before}/10 before going, {after}/10 after\n- PHQ-9 10\n- role-played asking Sam for coffee\n"
            "- HW: go again next Wed")
_ANXIETY_DRAFT = ("Subjective: Session 9 of 16. He went to the climbing club on Wednesday and spoke to one person, Sam.\n"
                  "Objective: He rated his anxiety at {before}/10 before going and {after}/10 afterwards, so it dropped "
                  "once he had been. PHQ-9 was 10.\n"
                  "Assessment: Interpersonal deficits focus; we role-played asking Sam for coffee.\n"
                  "Plan: He will go again next Wednesday.")


def test_a_rating_that_fell_between_its_two_numbers_may_be_said_to_have_dropped() -> None:
    note = _note(_ANXIETY.format(before=8, after=5), _ANXIETY_DRAFT.format(before=8, after=5))
    assert "dropped" not in " ".join(_unsupported(note)), note.flags


def test_a_rating_that_rose_may_not_be_said_to_have_dropped() -> None:
    note = _note(_ANXIETY.format(before=5, after=8), _ANXIETY_DRAFT.format(before=5, after=8))
    assert "so it dropped" not in note.text


_OD = ("- s1/16, 34M, after discharge from ward (OD of {n} x co-codamol 2 wks ago, found by flatmate)\n"
       "- SI still \"in background\", no current plan\n- PHQ-9 19\n- started interpersonal inventory\n"
       "- next: cont inventory")
_OD_DRAFT = ("Subjective: Two weeks ago he took an overdose of twenty co-codamol and was found by his flatmate. "
             "Suicidal thoughts are still \"in the background\"; he has no current plan.\n"
             "Objective: PHQ-9 was 19.\nAssessment: Session 1 of 16; we started the interpersonal inventory.\n"
             "Plan: Continue the inventory next session.")


def test_a_number_written_as_a_word_and_a_quotation_with_an_article_are_the_bullets_own() -> None:
    note = _note(_OD.format(n=20), _OD_DRAFT)
    assert not any("twenti" in s or "background" in s for s in _unsupported(note)), note.flags


def test_a_number_word_the_bullets_do_not_have_is_still_flagged() -> None:
    note = _note(_OD.format(n=30), _OD_DRAFT)
    assert "overdose of twenty co-codamol" not in note.text or note.mode == "offline"
