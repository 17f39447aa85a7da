"""Forms found in round 32 (fresh writers' read halves, then phrasings of my own): methods described in plain words
(graded exposure told by how long to stay, the empty chair without the chair named, a balanced alternative), a method
declined after it is named or kept out of the sessions, another team's method the client asks for, childhood gone back
over with the child's age in it; dependence and thought disorder in plain words; idioms of exasperation and ease; and in
the notes a score that has "come down", a possessive written without its apostrophe, a quote with an article added and
a time written "tmrw am". Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported
from assistant.signals import read_text


def _read(text: str):  # noqa: ANN202 - a Reading
    return read_text(text, catalog=get_catalog())


@pytest.mark.parametrize("text,method", [
    ("Plan: he rides the lift one floor, then two, staying in until the fear eases", "exposure"),
    ("could I have her sit in the crowded cafe til the panic dies down, longer each week?", "exposure"),
    ("Asked him to talk to his late father as if he was sitting in the chair opposite, then answer back as dad",
     "empty_chair"),
    ("- she addressed her sister as if she were in the room, then swapped seats and replied as her", "empty_chair"),
    ("HW idea: jot the thought down when he feels snubbed, then dispute it with a fairer alternative",
     "cognitive_restructuring"),
    ("- invited him to just say whatever came into his head while I stayed quiet", "free_association"),
])
def test_a_method_in_plain_words_is_out_of_frame(text: str, method: str) -> None:
    assert method in _read(text).request.out_of_frame, text


@pytest.mark.parametrize("text,asked", [
    ("I considered a thought diary for her but decided against it. Was that right?", False),
    ("I'm considering a thought diary for her. Is that right?", True),
    ("She asked if we could interpret her dreams; I gently declined and we went back to her sister", False),
    ("She asked if we could interpret her dreams. Should I?", True),
    ("He wants mindfulness; I said he can use his app at home but our sessions stick to the row with his brother",
     False),
])
def test_a_method_declined_once_named_is_not_asked_for(text: str, asked: bool) -> None:
    assert bool(_read(text).request.out_of_frame) is asked, text


@pytest.mark.parametrize("text,asked", [
    ("Her son is having exposure therapy with another service and it's straining things at home", False),
    ("Her GP suggested EMDR. She wants me to do it since she knows me. Can I?", True),
    ("Her GP suggested EMDR. Should I worry that it clashes with our work?", False),
])
def test_another_services_method_is_asked_for_only_when_taken_up(text: str, asked: bool) -> None:
    assert bool(_read(text).request.out_of_frame) is asked, text


@pytest.mark.parametrize("text", [
    "Should we go back over his early years to see where the jealousy started (dad left when he was 6)?",
    "Thinking of tracing her shame back to her childhood, when she was a kid at boarding school",
])
def test_going_back_over_childhood_is_asked_for_now_whatever_age_it_names(text: str) -> None:
    assert "childhood_exploration" in _read(text).request.out_of_frame, text


@pytest.mark.parametrize("text,dependent", [
    ("shaky and sick if he goes without his diazepam, gets it from three doctors", True),
    ("Can't get through the day without a few cans of cider now, per wife", True),
    ("Takes her diazepam as prescribed, no problems", False),
])
def test_dependence_by_its_signs_is_stabilise_first(text: str, dependent: bool) -> None:
    assert ("severe_substance_dependence" in _read(text).stabilise_first) is dependent, text


def test_speech_made_of_new_words_is_psychosis() -> None:
    r = _read("- lots of made-up words today, could not follow the thread of his own speech")
    assert "psychosis" in r.stabilise_first and r.risk.level is not None, r.risk


@pytest.mark.parametrize("text", [
    "Her mother-in-law 'drives her mad' - 'I could throttle her' she said, laughing",
    "'I'm going to lose my marbles' if the kids don't sleep tonight",
    "Been on the tills twenty years, says she 'could do it in her sleep'",
])
def test_idioms_of_exasperation_and_ease_are_not_risk(text: str) -> None:
    assert _read(text).risk.level is None, (text, _read(text).risk)


@pytest.mark.parametrize("text", [
    "Says he 'can't take much more' and has been looking at how many of his tablets it would take",
    "I could kill myself some days, she says - not laughing",
])
def test_the_same_registers_with_risk_in_them_stay_risk(text: str) -> None:
    assert _read(text).risk.level is not None, text


def test_a_going_back_there_that_is_a_place_is_not_re_experiencing() -> None:
    text = "Can I get her to go back there every day and stay in the shop a bit longer?"
    assert "trauma_focused_needed" not in _read(text).stabilise_first


# --- notes: faithful paraphrases the fact check used to flag -------------------------------------------------------


@pytest.mark.parametrize("bullets,draft,ok", [
    ("- GAD-7 9 (14 at s1)\n- worked on the row with her boss", "Her GAD-7 score has come down since session 1.",
     True),
    ("- GAD-7 14 (9 at s1)\n- worked on the row with her boss", "Her GAD-7 score has come down since session 1.",
     False),
    ("- 80M, carer for wife (Alzheimers)", "He is caring for his wife, who has Alzheimer's disease.", True),
    ("- drinking 'few beers most nights'", 'He said he is drinking "a few beers most nights."', True),
    ("- drinking 'few beers most nights'", 'He said he is drinking "a few beers every night."', False),
    ("- f/u call tmrw am", "A follow-up call is planned for tomorrow morning.", True),
])
def test_faithful_paraphrases_pass_and_the_changed_ones_do_not(bullets: str, draft: str, ok: bool) -> None:
    problems = find_unsupported(draft, bullets, get_catalog(), clauses=[x.lstrip("- ") for x in bullets.splitlines()])
    assert (not problems) is ok, problems


@pytest.mark.parametrize("text,risk", [
    ("Hasn't eaten since Sunday - says she 'doesn't deserve' food after the fight with her mum", True),
    ("Didn't sleep much, worried about the hearing; no thoughts of harming herself", False),
    ("She has never hurt herself, she says, even at her lowest", False),
])
def test_not_eating_is_a_fact_not_a_denial(text: str, risk: bool) -> None:
    assert (_read(text).risk.level is not None) is risk, (text, _read(text).risk)


def test_the_bullets_side_of_the_fact_check_is_done_before_the_model_is_asked() -> None:
    """After the reply, the check embeds only the draft's sentences: the bullet clauses were embedded while the
    bullets were all there was (the suite times the check from the reply)."""
    from assistant.embeddings import get_encoder
    from assistant.notes.drafting import draft_note
    from assistant.testing.fake_model import ScriptedModel

    bullets = ("- s5/16, role dispute w/ sister re mum's care, agreed\n- PHQ-9 14 (was 18)\n"
               "- CA of Sunday's phone call: pt hung up when sister raised money\n- HW: ask sister to meet in person")
    draft = ("## Data\nShe attended session 5 of 16. Her PHQ-9 was 14, down from 18. We carried out a communication "
             "analysis of Sunday's phone call, in which she hung up when her sister raised money.\n## Assessment\n"
             "The role dispute with her sister about their mother's care remains the agreed focus, and the pattern of "
             "ending calls suggests an impasse she would like to move past. She seemed relieved once the conversation "
             "turned to what she wants from her sister.\n## Plan\nShe will ask her sister to meet in person.")
    encoder = get_encoder()
    encoder.clear_cache()
    encoded_after_reply: list[str] = []

    class Recording(ScriptedModel):
        def complete(self, *args, **kwargs):  # noqa: ANN002, ANN003, ANN202
            try:
                return super().complete(*args, **kwargs)
            finally:
                original = encoder._encode_sorted

                def spy(texts, batch_size):  # noqa: ANN001, ANN202
                    encoded_after_reply.extend(texts)
                    return original(texts, batch_size)

                encoder._encode_sorted = spy  # type: ignore[method-assign]

    try:
        note = draft_note(bullets, get_catalog(), Recording(replies=[draft]), format="dap")
    finally:
        encoder.__dict__.pop("_encode_sorted", None)
    clauses = [c for c, _ in note.facts.clauses]
    assert encoded_after_reply, "the draft has a sentence in words of its own: the check embeds it"
    assert clauses and not set(clauses) & set(encoded_after_reply), encoded_after_reply
