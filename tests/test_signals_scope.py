"""Scope of the assertion modifiers: where a relation, a condition or a denial reaches, and what a
clause says outside every scope. Phrasings here are the test author's, not copied from the eval sets."""

from __future__ import annotations

import pytest

from assistant.evals.signal_suite import predict
from assistant.signals import screen_risk
from assistant.signals.assertion import assert_targets, unscoped


def _raises_risk(text: str) -> bool:
    """Whether ``text`` raises the client's risk (stated or possible), as ``ask`` and ``note`` read it."""
    return predict(text).risk != "none"


def _assertion(clause: str, word: str, label: str = "suicidal_ideation") -> str:
    start = clause.index(word)
    return assert_targets(clause, [(start, start + len(word), label)])[0].assertion


@pytest.mark.parametrize("clause, word", [
    ("she wrote goodbye letters to her two kids and hid them", "goodbye letters"),
    ("texted her ex that she is thinking of suicide", "suicide"),
    ("gave the cat to the neighbours because she is planning suicide", "suicide"),
    ("left his tools with his brother, talks of suicide", "suicide"),
])
def test_a_relation_as_object_is_not_the_experiencer(clause: str, word: str) -> None:
    assert _assertion(clause, word) == "present"


@pytest.mark.parametrize("clause, word", [
    ("her son has been thinking about suicide", "suicide"),
    ("pt's sister talks about suicide", "suicide"),
    ("says her best friend is cutting herself", "cutting"),
    ("Client's teenage daughter (15) self-harms", "self-harms"),
])
def test_a_relation_as_subject_is_the_experiencer(clause: str, word: str) -> None:
    assert _assertion(clause, word, "self_harm") == "other_person"


def test_a_relation_in_a_subordinate_clause_holds_that_clause_only() -> None:
    clause = "since her father died, she has been talking about suicide"
    assert _assertion(clause, "suicide") == "present"
    assert _assertion("since her father talked about suicide", "suicide") == "other_person"


def test_a_relation_glossed_as_the_client_is_the_client() -> None:
    assert _assertion("Mum says her daughter (my client, 16) is suicidal", "suicidal") == "present"


@pytest.mark.parametrize("clause, word", [
    ("she cuts when her mother shouts at her", "cuts"),
    ("he drinks when he is alone and then thinks about suicide", "suicide"),
    ("Should I be worried that she talks about suicide", "suicide"),
    ("How do I respond now that he has disclosed self-harm", "self-harm"),
])
def test_a_clinicians_question_or_a_temporal_when_is_not_a_condition(clause: str, word: str) -> None:
    assert _assertion(clause, word, "self_harm") == "present"


@pytest.mark.parametrize("clause, word", [
    ("what would I do with a client who discloses self-harm", "self-harm"),
    ("how to respond when someone who is grieving mentions suicide", "suicide"),
    ("if she ever spoke of suicide I would call the crisis team", "suicide"),
    ("should she ever feel suicidal, she will call her sister", "suicidal"),
    ("What do I say when he tells me he wants to die", "wants to die"),
])
def test_a_generic_person_or_a_condition_is_hypothetical(clause: str, word: str) -> None:
    assert _assertion(clause, word, "self_harm") == "hypothetical"


@pytest.mark.parametrize("clause, word", [
    ("A client with a toddler told me last week she has been cutting her thighs", "cutting"),
    ("a patient who phoned on Friday said he is planning suicide", "suicide"),
])
def test_a_person_who_reported_something_in_the_past_is_one_client_not_a_case_in_general(clause: str, word: str) -> None:
    assert _assertion(clause, word, "self_harm") == "present"
    # one fact apart: the same person in the present tense is a case in general
    assert _assertion(clause.replace("told me last week", "tells you").replace("phoned on Friday said", "says"),
                      word, "self_harm") == "hypothetical"


@pytest.mark.parametrize("clause, word", [
    ("SH - did not get to it this week", "SH"),
    ("thoughts of suicide: never got round to that today", "suicide"),
])
def test_a_topic_left_for_later_with_a_pronoun_is_not_assessed(clause: str, word: str) -> None:
    assert _assertion(clause, word) == "not_assessed"
    # far back, past the topic's own clause, it does not reach: "she burns her arms when they row, ..."
    assert _assertion("she burns her arms when they row, didn't get to it in depth", "burns") == "present"


@pytest.mark.parametrize("clause, word, label", [
    ("she can't stop crying and has been cutting her arms at night", "cutting her arms", "self_harm"),
    ("he doesn't leave the house and keeps talking about suicide", "suicide", "suicidal_ideation"),
])
def test_a_negation_ends_where_a_new_predicate_begins(clause: str, word: str, label: str) -> None:
    assert _assertion(clause, word, label) == "present"


@pytest.mark.parametrize("clause, word", [
    ("denies SI and HI", "HI"),
    ("no SI, no plan and has not self-harmed", "self-harmed"),
])
def test_a_list_of_denied_things_stays_denied(clause: str, word: str) -> None:
    assert _assertion(clause, word, "self_harm") == "negated"


def test_stopping_something_of_ones_own_is_not_the_risk_stopping() -> None:
    assert _assertion("suicidal thoughts since he stopped his antidepressants", "suicidal") == "present"
    assert _assertion("thoughts of suicide have stopped", "suicide") == "negated"


def test_a_current_time_ends_a_history() -> None:
    assert _assertion("an overdose in 2019 and current suicidal thoughts with the same tablets", "suicidal") == "present"
    assert _assertion("burning in 2012-13, none since until last week when she burned her arm", "burned her arm",
                      "self_harm") == "present"
    assert _assertion("burning in 2012-13, none since", "burning", "self_harm") == "historical"


def test_a_condition_in_someones_quoted_words_stays_in_the_quotation() -> None:
    clause = "He shouted 'if you go to your mum's I'll never let you in again' and then shoved her down the stairs"
    assert _assertion(clause, "shoved", "ipv") == "present"
    # What the client said is hers, quoted or not: "if he ever shoves me again" tells of a shove before (this
    # read "hypothetical" only while a quote mark hid the reporting verb; unquoted it was already present).
    assert _assertion("she said 'if he ever shoves me again I'm leaving'", "shoves", "ipv") == \
        _assertion("she said if he ever shoves me again I'm leaving", "shoves", "ipv") == "present"


@pytest.mark.parametrize("text, risk", [
    ("his voices are 'back again' and telling him the neighbours are watching", True),
    ("says she wants to 'see Mum again' - mum died in June", True),
    ("She loves hearing the voices of her grandchildren on the phone.", False),
    ("PHQ-9 done; suicide screen not yet done, for next week.", False),
])
def test_plain_words_with_quote_marks_and_a_check_not_yet_done(text: str, risk: bool) -> None:
    assert (predict(text).risk != "none") is risk, text


@pytest.mark.parametrize("text, level", [
    ("PHQ-9 item 9 scored 2.", "risk"),
    ("EPDS 14, q10 = 1.", "risk"),
    ("PHQ-9 item 9 scored 0.", None),
])
def test_a_screen_item_scored_at_the_end_of_a_sentence_is_read(text: str, level: str | None) -> None:
    # the full stop after the score had been read as a decimal point, so a positive item 9 alone was missed
    assert screen_risk(text).level == level, text


@pytest.mark.parametrize("text, risk", [
    ("been thinking about dying a lot since the redundancy", True),
    ("preoccupied with death, not eating", True),
    ("keeps thinking about the death of her brother, can't stop crying", False),
    ("denies thinking about dying", False),
])
def test_thoughts_of_ones_own_death_are_ideation(text: str, risk: bool) -> None:
    assert (predict(text).risk != "none") is risk, text


def test_sleep_lost_is_a_symptom_not_a_denial() -> None:
    assert _assertion("she has not been sleeping and talks fast about big plans", "sleeping", "mania") == "present"


def test_a_question_framed_in_general_about_ones_own_client_is_that_client() -> None:
    assert predict("What do I do when my client is burning herself most nights?").risk != "none"
    # a generic frame the text goes on to make one person ("... She's 19 and lives alone."): detect passes
    # ``specific`` when a later sentence states a fact of one person
    clause = "How should I work with a client who keeps saying she wants to be dead?"
    start = clause.index("dead")
    target = [(start, start + 4, "suicidal_ideation")]
    assert assert_targets(clause, target)[0].assertion == "hypothetical"
    assert assert_targets(clause, target, specific=True)[0].assertion == "present"


@pytest.mark.parametrize("text", [
    "What do I do when a client says she wants to be dead?",
    "How should I work with a client who keeps saying she wants to be dead? I want to be prepared.",
])
def test_a_question_in_general_stays_hypothetical(text: str) -> None:
    assert predict(text).risk == "none"


def test_a_relation_after_a_verb_and_its_particle_is_the_subject_of_what_follows() -> None:
    assert _assertion("she found out her brother has been burning himself", "burning himself", "self_harm") == "other_person"
    assert _assertion("he picked up his daughter and then burned himself with a lighter", "burned himself", "self_harm") == "present"


@pytest.mark.parametrize("text", [
    "The risk assessment came back clear.",
    "Suicide screen was negative today.",
    "C-SSRS: no wish to be dead, no active SI, no behaviour.",
    "denys suicidal thoughts, intent or plan",
])
def test_negative_results_in_words_or_with_typos_are_denials(text: str) -> None:
    assert not screen_risk(text).is_risk


def test_the_latest_episode_is_not_history() -> None:
    assert _assertion("burns herself with a lighter, the last episode was 3 days ago", "burns herself", "self_harm") == "present"
    assert _assertion("a previous episode of cutting, none since", "cutting", "self_harm") == "historical"


def test_the_words_outside_every_scope_are_what_the_clause_states() -> None:
    rest = unscoped("not suicidal, she says, but has given her dog away and said goodbye to friends")
    assert rest is not None and "given her dog away" in rest and "suicidal" not in rest
    assert unscoped("denies SI, HI and self-harm") is None


@pytest.mark.parametrize("text", [
    "He says he is not suicidal, but he has given away his record collection and said goodbye to his friends.",
    "Denies any thoughts of suicide; however she has been giving her belongings away and saying her goodbyes.",
])
def test_meaning_outside_a_denial_stays_present(text: str) -> None:
    assert screen_risk(text).is_risk


@pytest.mark.parametrize("text", [
    "gave her drum kit to her nephew at the weekend and has been strangely cheerful since",
    "Gave away his camera gear last week, says it's 'one less thing'.",
])
def test_giving_a_named_possession_away_in_the_past_tense_is_a_warning_sign(text: str) -> None:
    r = screen_risk(text)
    assert r.is_risk and r.level == "possible_risk"


def test_possessive_client_is_not_the_client_speaking() -> None:
    # "pt's" is a possessive here, not "pt is": the brother stays the experiencer.
    assert _assertion("pt's brother killed himself 8 months ago", "killed himself") == "other_person"


def test_a_relation_as_a_label_is_the_subject() -> None:
    assert _assertion("grief (wife, suicide 2021), agreed focus", "suicide") == "other_person"


def test_a_question_asked_with_no_answer_is_followed_up_not_stated() -> None:
    from assistant.signals import read_text

    unanswered = read_text('asked re SI: "I would rather not talk about it"').risk
    assert unanswered.is_risk and unanswered.level == "possible_risk"
    assert not read_text("asked about SI: denied").risk.is_risk
    assert not read_text("asked directly about self-harm, she said no").risk.is_risk


@pytest.mark.parametrize("text, risk", [
    ("Her uncle took his own life in March; she keeps wondering what she missed.", False),
    ("Mum died by suicide when pt was 12, and pt still can't talk about her.", False),
    ("Her brother died by suicide in May and now she says she wants to be with him.", True),
    ("His wife killed herself last year. He's been saying he has nothing left to live for.", True),
])
def test_a_completed_suicide_is_the_bereavement_unless_the_rest_speaks_of_risk(text: str, risk: bool) -> None:
    """The words of someone else's death are taken out before meaning is read for the client's risk."""
    view = screen_risk(text)
    assert (view.level is not None) is risk, (text, view.level, view.kinds)


def test_a_finding_list_keeps_its_denial_to_its_own_item() -> None:
    from assistant.signals.detect import clauses

    text = "passive SI, denies plan or intent"
    assert [text[a:b] for a, b in clauses(text)] == ["passive SI", "denies plan or intent"]


@pytest.mark.parametrize("text, assertion", [
    ("Risk screen not completed, out of time", "not_assessed"),
    ("We never got round to the safety questions today", "not_assessed"),
    ("couldn't assess risk, interpreter late", "not_assessed"),
    ("C-SSRS negative", "negated"),
    ("PHQ-9 item 9 = 0", "negated"),
    ("came back negative on the ASQ", "negated"),
])
def test_a_named_screen_carries_its_result_to_the_clause(text: str, assertion: str) -> None:
    """A screen named with its result is a finding of no level: it states what was (not) asked, and the
    clause's meaning-level findings take its assertion instead of reading as risk."""
    view = screen_risk(text)
    assert not view.is_risk, (text, view.kinds)
    assert view.assertion == assertion


def test_naming_a_screen_raises_nothing_and_imposes_nothing() -> None:
    assert not screen_risk("PHQ-9 today 17, up from 12").is_risk
    # a named screen with no result does not make the clause's risk "present" or "negated" by itself
    view = screen_risk("did the C-SSRS: she has been thinking she'd be better off dead")
    assert view.is_risk and "suicidal_ideation" in view.kinds


def test_a_list_of_denials_negates_its_bare_items_too() -> None:
    assert not screen_risk("denies intent, no means at home").is_risk
    # bare negation alone still does not undo a risk idiom
    assert screen_risk("she doesn't want to wake up in the morning any more").is_risk
    assert screen_risk("says he does not want to be alive").is_risk
    # a negation fused with the finding's first word negates it
    assert not screen_risk("denies SI, doesn't want to die").is_risk


@pytest.mark.parametrize("text", [
    "asked about hearing voices - she laughed, 'no, nothing like that'",
    "I asked about thoughts of ending her life and he said \"God, no\"",
])
def test_a_question_answered_no_is_a_denial(text: str) -> None:
    assert not screen_risk(text).is_risk


@pytest.mark.parametrize("text", [
    "My client's husband rang to say he has been thinking of killing himself. She is frightened.",
    "Her nephew, who she raised after his mum left, told her he has started cutting himself.",
])
def test_a_pronoun_that_agrees_with_the_relative_not_the_client_is_theirs(text: str) -> None:
    view = screen_risk(text)
    assert not view.is_risk and view.assertion == "other_person", (view.kinds, view.assertion)


def test_a_pronoun_stays_the_clients_when_the_text_cannot_tell() -> None:
    # the client's gender is unknown (or the same as the relative's): safety errs towards asking
    assert screen_risk("Pt's father died in June and he wants to die too.").is_risk
    assert screen_risk("mum says she's barely sleeping and spending money she doesn't have").is_risk


def test_client_gender_reads_the_pronouns_that_point_at_the_client() -> None:
    from assistant.signals.coref import client_gender

    assert client_gender("Her son has stopped going to school.") == "f"
    assert client_gender("cl 34 M, low mood") == "m"
    assert client_gender("His wife rang. He is worried.") == "m"
    assert client_gender("pt low, sleeping badly") is None
    # a relative's age is not the client's gender
    assert client_gender("Her dad (60) rang. She is worried.") == "f"


def test_the_clients_quoted_first_person_is_the_client_not_the_relative() -> None:
    view = screen_risk('he says his kids "would be better off without me"')
    assert view.is_risk and view.assertion == "present"


def test_a_modifier_inside_a_quotation_reaches_no_further() -> None:
    view = screen_risk('cl: "wouldn\'t care if I never woke up" - passive SI, nil intent')
    assert view.is_risk and "suicidal_ideation" in view.kinds


def test_a_trailing_denial_with_its_own_object_denies_only_that() -> None:
    assert _assertion("passive SI, nil plan", "SI") == "present"
    assert _assertion("SI, HI and SH all denied", "SI") == "negated"


@pytest.mark.parametrize("text, clients", [
    ("Her husband shoves her when he's been drinking.", True),
    ("pt's ex keeps turning up at her flat and has threatened her", True),
    ("Her brother's girlfriend slaps him in front of the kids; my client is worried about her nephews.", False),
    ("The neighbour's boyfriend beats her up most weekends and my client hears it through the wall.", False),
    ("Her grown son (35) shoves her when she says no to lending money.", True),
])
def test_partner_violence_is_the_clients_when_the_partner_is_hers(text: str, clients: bool) -> None:
    """A relative's own partner ("her brother's girlfriend") is not the client's; the client's partner or
    ex, or violence aimed at the client herself, is."""
    assert ("ipv" in screen_risk(text).kinds) is clients, screen_risk(text).kinds


@pytest.mark.parametrize("text, word, label", [
    ("safety plan: if the urge to cut comes back she will ring her sister", "urge to cut", "self_harm"),
    ("we talked about what she would do if he started drinking again and got nasty", "got nasty", "ipv"),
])
def test_recurrence_inside_a_condition_stays_conditional(text: str, word: str, label: str) -> None:
    assert _assertion(text, word, label) == "hypothetical"


def test_a_conditional_with_no_current_risk_raises_nothing() -> None:
    assert not screen_risk("we talked about what she would do if he started drinking again and got nasty").is_risk
    # A safety plan for an urge may still read as current risk as a whole (the current-risk backstop):
    # then it is possible risk, a prompt to ask, never stated risk.
    risk = screen_risk("safety plan: if the urge to cut comes back she will ring her sister")
    assert risk.level in (None, "possible_risk")


def test_a_present_time_word_still_ends_a_condition() -> None:
    clause = "we planned what she would do if it got worse and now she is thinking of suicide"
    assert _assertion(clause, "suicide") == "present"


def test_a_question_answered_yes_is_stated() -> None:
    from assistant.signals.assertion import assert_targets

    (said,) = assert_targets("asked about thoughts of ending her life - yes, most days", [None])
    assert said.assertion == "present" and not any(m.startswith("possible:") for m in said.modifiers)
    (open_,) = assert_targets("asked about thoughts of ending her life", [None])
    assert any(m.startswith("possible:") for m in open_.modifiers)


def test_without_a_person_negates_nothing() -> None:
    from assistant.signals.assertion import assert_targets

    # a finding by meaning (the whole clause): "without her" does not scope it away
    (whole,) = assert_targets("says life is pointless without her, has thought about taking all his tablets", [None])
    assert whole.assertion == "present", whole
    assert _assertion("presents without SI", "SI") == "negated"


@pytest.mark.parametrize("text, risk", [
    # an admission framed as a denial
    ("can't say I haven't thought about killing myself", True),
    ("I won't pretend it doesn't cross my mind - suicide, I mean", True),
    ("I'd be lying if I said I never think about ending my life", True),
    # ... against the plain denial and the plain condition
    ("I haven't thought about killing myself", False),
    ("if I said I was suicidal they'd section me", False),
])
def test_an_admission_framed_as_a_denial_is_present(text: str, risk: bool) -> None:
    from assistant.signals import read_text

    assert read_text(text).risk.is_risk is risk, text


def test_an_opinion_is_not_an_admission() -> None:
    from assistant.signals import read_text

    assert not read_text("I'd say she doesn't want to die, she's just exhausted").risk.is_risk


# "Sober" denies intoxication, and only intoxication; "not sober" states it (tenth round, 4 December).
@pytest.mark.parametrize("text,intoxicated", [
    ("sober today, no ETOH on breath, alert + orientated", False),
    ("appeared sober, alert, oriented", False),
    ("he wasn't sober today - slurred, unsteady", True),
    ("clearly not sober in session", True),
    ("far from sober when he arrived", True),
    ("arrived drunk, slurring; sober by the end of the hour", True),
])
def test_sober_denies_intoxication_and_not_sober_states_it(text: str, intoxicated: bool) -> None:
    assert ("intoxication" in predict(text).risk_kinds) is intoxicated


def test_sober_does_not_deny_other_risk() -> None:
    assert "suicidal_ideation" in predict("sober today but says he wants to die").risk_kinds


# Shorthand and set forms of a negative result (eleventh round), each beside a form that states risk.
@pytest.mark.parametrize("clause, word, expected", [
    ("risk screen -ve for SI today", "SI", "negated"),
    ("-ve for suicidal ideation, sleeping better", "suicidal ideation", "negated"),
    ("Ø SI, Ø plan", "SI", "negated"),
    ("SI present, Ø plan", "SI", "present"),
    ("answered no to every self-harm and suicide question", "suicide", "negated"),
    ("she said no to all the risk questions about suicide", "suicide", "negated"),
    ("said no to all her friends' invites, SI with plan", "SI", "present"),
    ("none reported thoughts of suicide at check-in", "suicide", "negated"),
    ("none of it helped, thoughts of suicide most nights", "suicide", "present"),
])
def test_shorthand_and_set_negative_results(clause: str, word: str, expected: str) -> None:
    assert _assertion(clause, word) == expected


@pytest.mark.parametrize("text, risk", [
    ("pt asked 'if I said I wanted to die would you section me?' - no SI reported", False),
    ("?SI - vague answers, ask again", True),
])
def test_a_question_mark_ending_a_question_queries_nothing_after_it(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("clause, word, expected", [
    ("says his kids would be 'better off without me'", "better off without me", "present"),
    ('says his kids would be "better off without me"', "better off without me", "present"),
    ('says his kids would be "better off without me', "better off without me", "present"),  # never closed
    ("her dad's been thinking of suicide, I'd say", "suicide", "other_person"),  # apostrophes, no quotation
])
def test_the_clients_words_in_single_quotes_are_the_clients(clause: str, word: str, expected: str) -> None:
    assert _assertion(clause, word) == expected


# Years as time anchors (twelfth round): "since <year>" goes on today; a bare year two or more years back
# dates the event next to it; a relative's death or birth date dates nothing of the client's.
@pytest.mark.parametrize("text, risk", [
    ("cutting since 2019, last wk x3", True),
    ("SH since 2015", True),
    ("sectioned 2011 (mania); now IPSRT, social rhythm steady", False),
    ("prev suicide attempt ~2008 after divorce", False),
    ("postpartum psychosis after 1st baby (2019), full recovery", False),
    ("OD 2019; now 'thinking about doing it properly this time'", True),
    ("new tattoo of sister's dates (d. 2020), pt said 'I'll see her soon'", True),
])
def test_a_year_dates_its_own_event(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


def test_last_years_event_is_not_yet_history() -> None:
    import re
    from datetime import date

    from assistant.signals.assertion import past_year_regex

    rx = past_year_regex(date(2026, 12, 4))
    assert [bool(re.match(rx, t)) for t in ("2024", "~2008", "(2019)", "c.1999")] == [True] * 4
    assert [bool(re.match(rx, t)) for t in ("2025", "2026", "20119", "1066")] == [False] * 4


# A relative speaking in the first person (twelfth round): the quotation is the relative's, up to a third
# person inside it (the client again); a bare "mum" may be the client herself; a partner's words are a threat.
@pytest.mark.parametrize("text, risk", [
    ("her brother said 'I want to die'", False),
    ("pt's mum goes 'I wish I was dead' every time they argue", False),
    ("her elderly mother keeps saying 'I just want to go to sleep and not wake up'", False),
    ("her mum keeps saying 'I'm scared she'll kill herself'", True),
    ("Mum said 'I want to die'", True),
    ("mum 4 months postpartum said 'the baby would be better off without me'", True),
    ("her husband told her 'I will kill you if you leave'", True),
    ("her son said 'I cut myself' and pt says she's been cutting too", True),
])
def test_a_relative_speaking_in_the_first_person_speaks_of_themselves(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


def test_a_partners_quoted_threat_stays_partner_violence() -> None:
    assert "ipv" in predict("my husband keeps saying 'I'll kill you' when he drinks").risk_kinds


# A relative's violence that is the client's after all keeps the scopes about the act itself (twelfth round):
# before, "someone else's" outranked them and the re-reading as the client's made every such clause present.
@pytest.mark.parametrize("text, risk", [
    ("her husband has never hit her", False),
    ("ex used to hit her, left him 6 years ago, no contact", False),
    ("partner in room throughout -> couldn't ask re DV safely", False),
    ("What would I do if a client disclosed that her partner hits the children? It hasn't happened yet.", False),
    ("her husband hits her", True),
    ("my client says her husband will 'kill her if she leaves', and she believes him", True),
    ("the son who lives with her once shoved her over when she said no", True),
    ("says his wife scratched his face last night, then says 'it's not abuse'", True),
])
def test_a_relatives_violence_at_the_client_keeps_its_own_scopes(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("text, risk", [
    ("Say a client told me he hears voices - would I have to stop IPT?", False),
    ("Let's say she discloses that she's cutting - what do I do first?", False),
    ("pt say she's been cutting again", True),  # a typo for "says", not a supposition
    ("Client tearful, say she hears voices at night", True),
])
def test_a_supposition_opening_the_clause_is_hypothetical(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


# Past partner violence by the partner she is still with is a risk today (ask directly); an ex's is history.
@pytest.mark.parametrize("text, level", [
    ("Partner strangled her once 'about 5 yrs ago'; 'not been like that since'", "possible_risk"),
    ("her husband used to hit her years ago", "possible_risk"),
    ("her ex-husband used to hit her; that was ten years ago", "none"),
    ("ex used to hit her, left him 6 years ago, no contact", "none"),
    ("role dispute with her husband. He strangled her once years ago", "possible_risk"),
    ("husband supportive. Dad hit her as a kid.", "none"),
    ("her ex used to hit her years ago; new partner lovely", "none"),
])
def test_past_violence_by_the_current_partner_is_asked_about(text: str, level: str) -> None:
    assert predict(text).risk == level


# A past risk followed by a clause saying it is back is a possible risk of the same kind.
@pytest.mark.parametrize("text, risk", [
    ("PND after first baby (2019) w/ SI. Now 4 months postpartum - today 'that feeling's creeping back'", True),
    ("cut at 15, none since. Started again after the breakup.", True),
    ("psychosis 2016, well since. Says the voices are back this week.", True),
    ("OD in 2012. Says the dark stuff has crept back in lately.", True),  # "creeping back in" is a return
    ("hx OD 2015. argued again with her mum this week", False),
    ("hx SH 2012, none since. back at work now", False),
    ("hx OD 2015. started again at the gym", False),
    ("prev suicide attempt ~2008 after divorce; low today re redundancy but 'nothing like back then'", False),
])
def test_a_past_risk_said_to_be_back_is_current(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("text, risk", [
    # A denial's list ends where a comma opens a statement of its own: a verb in the past, a verb with its
    # object, or an event's count.
    ("denies SI, took an overdose of her mum's co-codamol on Friday", True),
    ("denies suicidal thoughts, slit her wrist superficially last night", True),
    ("no thoughts of suicide, pt hid a rope in the garage", True),
    ("denies SI, burnt her thigh with a lighter x3 since last session", True),
    ("Denies SI, SH or HI", False),
    ("denies SI, intent, plans or preparation", False),
    ("denies SI/HI, went to her sister's on Sat and slept better", False),
    ('says she is not suicidal, "just totally fed up with all of it"', False),
])
def test_a_denial_stops_at_a_statement_of_its_own(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("clause, rest", [
    ("denies SI, bought 40 paracetamol yesterday", "bought 40 paracetamol yesterday"),
    ("no SI, drank a bottle of vodka before session", "drank a bottle of vodka before session"),
    ("denies SI, SH or HI", None),
])
def test_what_a_denial_list_leaves_unscoped(clause: str, rest: str | None) -> None:
    assert unscoped(clause) == rest


@pytest.mark.parametrize("text, risk", [
    # What follows a turn in time is said of then: "not screened at intake - today ..." reads today's words.
    ("Not asked about drugs on arrival - by mid-session slurring, eyes glazed, swaying in the chair", True),
    ("psychosis not screened at assessment, today convinced the neighbours film her through the walls", True),
    ("denied SI at check-in - by the end of session said she 'won't be around much longer'", True),
    ("SI not asked today, mood low", False),
    ("denies SI today, HI or SH", False),
])
def test_a_turn_in_time_ends_a_scope(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("text", [
    "SI not reassessed this week, focus on the row with her sister",
    "self-harm not re-screened since session 2",
    "didn't re-ask about thoughts of harming the baby",
    "I should've asked about suicidal thoughts at the first session",
])
def test_a_question_not_asked_again_is_not_assessed(text: str) -> None:
    p = predict(text)
    assert (p.risk, p.assertion) == ("none", "not_assessed")


@pytest.mark.parametrize("text, risk", [
    # A question about the clinician's own practice names no one's risk (the layer has no rule for it: a rule that
    # dropped what the probes read in such questions lost a warning sign on a never-read set, README) ...
    ("Overdose in her twenties, nothing since. Do I still need to write a crisis plan?", False),
    ("Do we have to repeat the risk questions every single session?", False),
    # ... unless it points back at what was just described, or the client's words are in it.
    ("He says his wife 'never touched him' but she threw a chair at him last month. Do I call that violence?", True),
    ("Do I need a safety plan now that she's been giving her jewellery away?", True),
])
def test_a_clinicians_practice_question_and_what_it_points_back_at(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


@pytest.mark.parametrize("text, risk", [
    # A label's denial covers the label and the whole list after it.
    ("Risk screen: denies SI, HI, SH, no intent", False),
    ("Suicide screen: denies thoughts of ending her life, future-focused", False),
    ("No plan or intent. Protective factors: her dog, her nephew", False),
    ("Safety q's: denied SI; SH: scratched wrists with a pin last night", True),
    # The screens' own words and their plain kin are explicit: no reader takes them back.
    ("C-SSRS: endorsed a wish to be dead most days this month", True),
    ("passive SI, has a plan and intent for this weekend", True),
    # An item glued to its score, or scored before it is named.
    ("EPDS 12, q10=0.", False),
    ("She scored 1 on PHQ-9 item 9 this morning", True),
    # A screen named with no result says nothing of risk; a dash and "then" start what happened next.
    ("EPDS completed at the start of session", False),
    ("Denied SH at check-in - then rolled up her sleeve: new scratches on both wrists", True),
])
def test_screens_labels_and_their_results(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk


def test_a_relatives_first_person_words_stay_theirs() -> None:
    p = predict("pt's husband keeps telling her 'I can't see the point in going on' since he lost his job")
    assert (p.risk, p.assertion) == ("none", "other_person")


def test_a_clipped_didnt_is_a_question_not_asked() -> None:
    p = predict("didnt get to plan/intent - session overran")
    assert (p.risk, p.assertion) == ("none", "not_assessed")


@pytest.mark.parametrize("text, assertion", [
    # Nothing since a time long past is history; nothing since a recent time is a denial.
    ("hasn't cut herself since 2017, proud of that", "historical"),
    ("no suicidal thoughts since he was at uni", "historical"),
    ("no SI since last session", "negated"),
    ("not self-harmed since Friday's session", "negated"),
])
def test_nothing_since_a_past_time_is_history(text: str, assertion: str) -> None:
    p = predict(text)
    assert (p.risk, p.assertion) == ("none", assertion)


# --- the nineteenth round: last round's own-phrasing misses, by category ------------------------------------------

@pytest.mark.parametrize("text", [
    # a denial's list ends at a past verb with its counted object, whichever way the denial reads
    "Said no suicidal thoughts, swallowed most of a packet of co-codamol Friday night",
    "Says no thoughts of ending it, took 40 of her mum's tablets at the weekend",
    # an item's score written with an arrow or a verb of change; an earlier score beside it is no denial
    "q9 → 1 this week",
    "PHQ-9 item 9 went up to 2 since the court date",
    "EPDS Q10: 2 (was 0 at booking)",
    # a screen's ideation or behaviour item answered yes
    "C-SSRS: wish to be dead yes, behaviour no",
    "Columbia screen - ideation no, behaviour: yes (ligature Tues)",
])
def test_screens_and_lists_in_more_forms_raise_risk(text: str) -> None:
    assert _raises_risk(text)


@pytest.mark.parametrize("text", [
    "C-SSRS: ideation no, behaviour no",
    "q9 → 0 this week",
    "PHQ-9 item 9 was 0",
])
def test_their_negative_forms_stay_denials(text: str) -> None:
    assert not _raises_risk(text)


@pytest.mark.parametrize("text,risk", [
    # every item a screen lists answered no is the screen's negative result, read by the rules alone
    ("C-SSRS: ideation no, behaviour no", False),
    ("Columbia - wish to be dead: n, active SI: n", False),
    ("C-SSRS: ideation no, behaviour no.", False),
    # one item answered otherwise, or more said after the answers, and the screen says nothing of its own
    ("C-SSRS: ideation yes, behaviour no", True),
    ("C-SSRS: ideation no, behaviour yes", True),
    ("C-SSRS: ideation no but says she wants to disappear", True),
    ("C-SSRS: ideation no, behaviour no. Wrote goodbye letters to her kids last week", True),
])
def test_a_screen_whose_items_are_all_answered_no(text: str, risk: bool, monkeypatch: pytest.MonkeyPatch) -> None:
    from assistant.signals import reader

    monkeypatch.setenv("IPT_READER", "off")
    reader.get_reader.cache_clear()
    try:
        assert _raises_risk(text) is risk, text
    finally:
        reader.get_reader.cache_clear()


@pytest.mark.parametrize("line,present", [
    # a risk term as the line's label takes the scope of the finding after it
    ("SI: passive SI at intake resolved, none x6 wks", False),
    ("SH: last episode of cutting 2 yrs ago, none since", False),
    ("SI: passive SI most days, no plan", True),
])
def test_a_risk_label_states_nothing_of_its_own(line: str, present: bool) -> None:
    from assistant.signals import analyse, risk_view

    assert bool(risk_view(analyse(line, reader=False)).present) is present


@pytest.mark.parametrize("text,risk", [
    # "HI" written as a greeting, with an exclamation or an addressee after it, is no homicidal ideation
    ("'HI there!!' - pt greeted me at the door, v bright today", False),
    ("card from her daughter: 'HI MUM! miss you x'", False),
    # ... the shorthand itself still is
    ("reports HI towards her ex's new partner, no plan", True),
    ("HI - yes, re neighbour", True),
])
def test_hi_as_a_greeting(text: str, risk: bool) -> None:
    from assistant.signals import read_text

    found = any(s.category == "harm_to_others" and s.present for s in read_text(text).signals.items)
    assert found is risk, text


@pytest.mark.parametrize("text,risk", [
    # a question about violence from others answered "feels safe" is a documented denial
    ("Screened for IPV - says she feels safe at home, no violence or threats", False),
    ("asked re DV: she feels completely safe with him", False),
    # ... not when something is set against the answer, nor safe only some of the time, nor a question of suicide
    ("asked about DV - she feels safe, though he threw a plate last week", True),
    ("Screened for IPV - says she feels safe most of the time", True),
    ("Screened for IPV - doesn't feel safe at home", True),
    ("asked about SI - says she feels safe", True),
])
def test_feels_safe_answers_a_question_about_violence(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk, text


@pytest.mark.parametrize("text,risk", [
    # a wish to be with the dead, said as a plan or a thought, and dated by its own verb, not by the death
    ("Lost her husband in March and says she'd like to be with him now", True),
    ("talks about going to see Dad soon - dad died in the autumn", True),
    ("since his brother's suicide: 'I think about joining him most days'", True),
    # not a living person, nor a visit
    ("wants to be with her sister at Christmas", False),
    ("Her mum died in May; she's going to see her brother soon", False),
])
def test_a_wish_to_be_with_the_dead(text: str, risk: bool) -> None:
    assert _raises_risk(text) is risk, text
