"""Whose experience a risk is: the experiencer part of the assertion. Someone else's suicidal thoughts, self-harm,
mania or drinking are theirs; the client's own risk stays the client's when other people are named beside it.
Phrasings here are the test author's, not copied from the eval sets."""

from __future__ import annotations

import pytest

from assistant.evals.signal_suite import predict
from assistant.signals.assertion import assert_targets


def _raises_risk(text: str) -> bool:
    return predict(text).risk != "none"


def _assertion(clause: str, word: str, label: str = "self_harm") -> str:
    start = clause.index(word)
    return assert_targets(clause, [(start, start + len(word), label)])[0].assertion


@pytest.mark.parametrize("clause, word", [
    # an adverb is no end of a relation's scope ("still", "yet" ended every scope, as medspaCy's default "but")
    ("Her cousin still hears voices at night.", "hears voices"),
    ("pt's ex still hearing voices, no contact since May", "hearing voices"),
    # two relation words name one person ("twin sister"); an age before the relation is part of it
    ("twin brother has SI, pt well", "SI"),
    ("The client's 17 year old son is self-harming and she feels to blame.", "self-harming"),
    ("Her 9-year-old daughter is cutting herself at school.", "cutting"),
    # a possessed relation followed by its own verb is its subject, whatever stands before it
    ("She's livid her 20-year-old son overdosed again at the weekend.", "overdosed"),
    ("upset her stepdaughter has been self-harming", "self-harming"),
    # abbreviations and spellings of relations
    ("cl's dtr (15) cutting again; cl exhausted", "cutting"),
    ("Her fiancé is drinking himself to death, she says.", "drinking"),
])
def test_a_relation_in_more_forms_is_the_experiencer(clause: str, word: str) -> None:
    assert _assertion(clause, word) == "other_person"


@pytest.mark.parametrize("clause, word", [
    # a pronoun that is not the client's, after a person named without a gender
    ("Her housemate told her he wants to die and she stayed up with him.", "wants to die"),
    ("His colleague confided that she has been cutting again.", "cutting"),
])
def test_a_pronoun_that_is_not_the_clients_goes_to_the_person_named(clause: str, word: str) -> None:
    from assistant.signals.coref import client_gender

    start = clause.index(word)
    found = assert_targets(clause, [(start, start + len(word), "suicidal_ideation")], client_gender(clause))[0]
    assert found.assertion == "other_person"


@pytest.mark.parametrize("text", [
    "My client's sister has been looking up lethal doses online. How do I support my client?",
    "Her son keeps saying he might as well be dead; she is coping, no SI herself.",
    "Her dad's been manic for weeks and spent the savings. She's furious with him.",
    "Her roommate told her he wants to die, she sat with him till his mum came.",
    "twin sister has SI; client well, guilty she's 'the lucky one'",
])
def test_someone_elses_risk_raises_nothing_for_the_client(text: str) -> None:
    assert not _raises_risk(text)


@pytest.mark.parametrize("text", [
    # the client says the relative's experience is theirs too
    "Dad has SI (per pt) & pt (17) 'feels the same most nights'.",
    "Her best friend wants to kill herself, she told me. Then: 'me too, every night'.",
    # the dead experience nothing now: what is said of them is the client's
    "Says her late mother 'keeps telling her to come home' – hears her at night, thinking of 'going to her'.",
    # the client's own risk beside other people stays hers
    "Her husband hits her and she's frightened to go home.",
    "Since her sister died she has been cutting again.",
    "Ex released on Friday and has been texting her; he broke her jaw in 2022.",
])
def test_the_clients_own_risk_beside_other_people_stays(text: str) -> None:
    assert _raises_risk(text)


def test_a_record_of_searches_is_not_the_past() -> None:
    # "search history" is what was searched, not a history: the search is now
    assert _raises_risk("Denies SI. Her flatmate rang the service: found her search history on suicide methods and a note.")


def test_a_supposed_client_in_a_condition_is_supposed() -> None:
    # a condition that supposes a client ("if one ever tells me ...") keeps the violence in it supposed
    assert not _raises_risk("I've never had a man disclose abuse. If one ever tells me his partner hits him, what do I say?")


# --- the words of risk that are not the client's current risk, and warning behaviours in plain words ---------

@pytest.mark.parametrize("text", [
    "Overdosed on chocolate over Christmas, laughing that January is for salads.",
    "PHQ-9 = 9, item 9 = 0. GAD-7 = 4.",
])
def test_look_alikes_and_documented_negative_screens_raise_nothing(text: str) -> None:
    assert not _raises_risk(text)


@pytest.mark.parametrize("text", [
    "She overdosed on her dad's heart tablets on Friday night.",
    "took an overdose on Sunday, discharged from A&E Monday",
    "PHQ-9 item 9 = 0, but told the GP she has been 'planning how' since the eviction.",
    "Her affairs sorted and a will drawn up this week; she's 36 and well.",
])
def test_the_clients_risk_in_those_words_still_counts(text: str) -> None:
    assert _raises_risk(text)


def test_a_relation_glossed_with_the_client_as_an_object_is_not_the_client() -> None:
    # "(my client, 16)" glosses the relation as the client; "(lives with pt)" says where the relation lives
    assert _assertion("Brother (lives with pt) has been hearing voices again; pt worried.", "hearing voices",
                      "psychosis") == "other_person"
    assert _assertion("her son (my client, 16) has been hearing voices", "hearing voices", "psychosis") == "present"


@pytest.mark.parametrize("text,raises", [
    # the words outside a colleague's scope open with his pronoun: still his, with the client's gender unknown
    ("A neighbour of my client's is, in my client's words, 'paranoid' - he thinks the council bugs his flat.", False),
    # in the other person's own words a pronoun is someone else: the client
    ("Her mother's text this morning: 'she's been up three nights running, talking non-stop, spent her rent'", True),
])
def test_a_pronoun_opening_the_rest_of_someone_elses_clause(text: str, raises: bool) -> None:
    assert _raises_risk(text) is raises


@pytest.mark.parametrize("text", [
    # a relation telling someone other than the clinician something of their own (speech.py): the pronoun that
    # opens what they told is theirs
    "Her cousin messaged her on Sunday that he wants to kill himself.",
    "My client's flatmate has been telling everyone at work she wants to die.",
    "pt's grandad, who lives with them, told the carer he has been saving up his pills to end it.",
    "A colleague of my client confided in her that she's been cutting again. Where does that leave our work?",
])
def test_a_relation_who_tells_someone_of_their_own_risk_is_the_experiencer(text: str) -> None:
    assert predict(text).risk == "none"


@pytest.mark.parametrize("text", [
    # an informant telling the clinician, or telling with no one told, speaks of the client
    "Her mum told me she has been cutting her arms again.",
    "Mum says she's been cutting her arms again.",
    # ... and a partner's words to the client about her are aimed at her
    "Her husband told her she should just kill herself and stop wasting everyone's time.",
    # the client telling a relation is the client's
    "pt told her sister she wants to die",
    # a directive's subject is the one told
    "Her mum told her she has to stop cutting herself.",
])
def test_an_informant_or_the_client_telling_stays_the_clients(text: str) -> None:
    assert predict(text).risk != "none"


@pytest.mark.parametrize("text", [
    # another person's violence aimed at people who are not the client or a child in her care
    "Her neighbour, the one with the van, has been threatening to smash the builders' windows. Pt annoyed.",
    "The client's lodger, someone she barely knows, got into a fight at the pub and hit another man.",
])
def test_another_persons_violence_at_others_is_not_the_clients_risk(text: str) -> None:
    assert predict(text).risk == "none"


def test_a_time_in_a_clause_about_a_person_dates_that_person_not_the_wish() -> None:
    from assistant.signals import analyse

    # the death is dated; the wish to be with them is now (the rules alone, without the reader's second opinion)
    found = analyse('My client keeps telling me she "wants to be with" her husband, who died in 2019.', reader=False)
    assert {s.assertion for s in found.items if s.family == "risk"} == {"present"}
    # a thing's date dates what happened in it
    assert predict("There was violence in her first marriage, which ended in 2008; the current one is safe.").risk == "none"


@pytest.mark.parametrize("text, risky", [
    ("Calls the new mortgage 'career suicide' but is excited about the move.", False),
    ("Says she got an overdose of Christmas at her in-laws' and is glad it's over.", False),
    ("took an overdose of her sleeping tablets on Sunday", True),
    ("thoughts of suicide most days this week", True),
])
def test_idioms_of_suicide_and_overdose_are_not_risk(text: str, risky: bool) -> None:
    assert (predict(text).risk != "none") is risky


@pytest.mark.parametrize("text, risky", [
    # one of many, or another of a kind, is someone else
    ("Her son's school group chat said one of the boys had been cutting himself in the toilets.", False),
    ("A midwife told pt that another mum on the ward was moved to the mother and baby unit with psychosis.", False),
    # ... but the clinician's own client, however introduced, is the client
    ("One of my clients took an overdose last night - what now?", True),
    ("I have a client who says she wants to die. Session 4, grief.", True),
])
def test_someone_named_as_one_of_many_is_someone_else_but_my_client_is_mine(text: str, risky: bool) -> None:
    assert (predict(text).risk != "none") is risky


@pytest.mark.parametrize("text", [
    "she watched a film where the main character kills himself and has been upset since",
    "We spent the session on a drama where the lead character takes an overdose.",
    "went to the flat where her brother overdosed last year",
])
def test_a_character_or_a_relation_after_where_is_someone_else(text: str) -> None:
    from assistant.signals import read_text

    assert read_text(text).risk.level is None
