"""Assertion forms found in text written by writers who had not read the rules (the candidates and a
fresh writer's readable half): pairs that differ in the one thing that decides the reading."""

from __future__ import annotations

import pytest

from assistant.signals import read_text


def _level(text: str) -> str | None:
    return read_text(text).risk.level


def _assert_stated(text: str) -> None:
    r = read_text(text)
    assert r.risk.level is not None and r.risk.assertion == "present", (text, r.risk.assertion)


@pytest.mark.parametrize("text,current", [
    # a bare negation denies the finding when what it scopes reads as the finding on its own
    ("My 15-year-old client says she has never hurt herself and her mum confirms this.", False),
    ("My 15-year-old client says she hurt herself last night and her mum confirms this.", True),
    ("Denied feeling frightened of her partner when asked alone; says they argue but he's never threatening.", False),
    # ... and not when it scopes something else, or only one aspect of the risk
    ("Cl shook the baby when she wouldn't stop crying - \"just once\" - she's scared", True),
    ("He looked up the tide times at the cliffs near his place and says he 'likes knowing'. No stated intent.", True),
])
def test_a_bare_negation_is_read_by_what_it_scopes(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("He told me he hit his brother in a fight when they were teenagers. Nothing since, they get on well now.", False),
    ("Trainee: my client mentioned she used to burn herself when she was 13. She's now 31.", False),
    ("His notes mention a drug-induced psychosis when he was 19. He's 34 and nothing since.", False),
    # a clock time and a place are not history
    ("Client messaged me at 11pm 'thanks for everything, you've been great' and then didn't show this morning.", True),
    ("drives past the bridge on purpose + 'thinks about it'", True),
])
def test_what_dates_a_finding_and_what_does_not(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("His wife's sister, who's been living with them since her own marriage ended, took an overdose at the weekend.", False),
    ("Her best friend, who she's known since primary school and who lives two streets away, is being hit by her husband.",
     False),
    ("Her mum, who turned up unannounced at Christmas and has been staying ever since, is drunk most afternoons.", False),
    # the same description, the client's own act
    ("She has been living with her sister since her own marriage ended, and took an overdose at the weekend.", True),
    # a relation that is the object, described by a relative clause of its own: the client acts after it
    ("she is close to her sister who lives nearby, and she took an overdose on Sunday", True),
    ("worried about her flatmate who self-harms, and she cut herself last night", True),
])
def test_a_relation_described_before_its_verb_is_still_the_one_who_acts(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


def test_a_bare_negation_inside_a_list_item_negates_that_item_only() -> None:
    from assistant.catalog import get_catalog
    from assistant.notes.parse import parse_bullets

    mania = parse_bullets("- s8, RT after promotion\n- sleeping 2-3 hrs/nt for a week, not tired, spent ~£3k on clothes + "
                          "a drone, talking v fast", get_catalog())
    assert mania.risk.status in ("present", "possible")
    denied = parse_bullets("- initial assessment\n- risk: denies current or past SI/SH, no HI", get_catalog())
    assert denied.risk.status == "denied"


@pytest.mark.parametrize("text,current", [
    # what stands inside a relative clause set off by commas describes that clause only
    ("my client, whose brother was sectioned last spring, has been stockpiling her tablets", True),
    ("my client, who never drinks, was drunk in session today", True),
    ("my client, whose brother overdosed last spring, is grieving him", False),
    ("stockpiled her tablets last spring, none since", False),
])
def test_a_time_or_negation_inside_an_aside_stays_there(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    # a reported "no" with the client as subject is the client's denial ...
    ("she said no thoughts of ending her life", False),
    ("- asked re safety: she said no thoughts of ending her life, \"not going to do anything stupid\"", False),
    ("he said 'no' to SI and HI", False),
    # ... but hopelessness said with "no" is what was said
    ("she said no point going on like this", True),
    ("said no point going on like this", True),
    ("she said no one would notice if she was gone", True),
])
def test_a_reported_no_denies_unless_it_is_what_was_said(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text", ["- PHQ9 16", "PHQ-9 17 (was 19 s1), GAD-7 9", "EPDS 14", "CORE-10 22/40"])
def test_a_line_of_scale_totals_reads_as_no_risk_by_meaning(text: str) -> None:
    items = read_text(text).signals.items
    assert not [s for s in items if s.family == "risk" and s.source == "semantic"]
    assert _level(text) is None


def test_an_item_score_is_still_read() -> None:
    assert _level("PHQ-9 16, item 9 = 2") is not None


@pytest.mark.parametrize("text,current", [
    ("she took an overdose when he was nine, and he went to live with his nan", False),
    ("first cut at fifteen, none since", False),
    ("she cut herself at five pm today", True),
])
def test_an_age_in_words_dates_a_finding(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("on sertraline, some nausea. jokes she 'overdosed on coffee' before the appt", False),
    ("took an overdose of her mum's diazepam on Saturday", True),
])
def test_an_overdose_of_no_drug_needs_its_meaning(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("PHQ-9 item 9 scored 2 - not discussed in session, ran out of time.", True),
    ("EPDS 15; item 10 = 2 - not explored, ran out of time", True),
    ("PHQ-9 item 9 not asked", False),
    ("SI not discussed in session, ran out of time.", False),
])
def test_a_screen_item_answered_stays_answered_when_its_follow_up_was_not_done(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("\"No, I'd never do anything like that, I've got the girls to think about\" - in answer to direct q re suicide.", False),
    ("No, never - when asked about self-harm", False),
    ("'Yes, most days' - in answer to direct q re suicide", True),
    ("'No' when asked about thoughts of suicide, but then said she'd looked up how many pills it would take", True),
])
def test_an_answer_given_before_its_question(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    ("Should I be checking in with him about self-harm every session?", False),
    ("Do I need to check in with her about suicidal thoughts?", False),
    ("Do I need to check in w/ him re SH each week?", False),
    ("He told me he cut himself on Sunday - should I be checking in with him about it every session?", True),
])
def test_checking_in_about_a_risk_is_asking_about_it(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    # a contraction typed without its apostrophe is split "have" + "nt": every rule that takes "n't" takes it
    ("havent screened for hypomania yet, on the list for nxt session", False),
    ("hasnt been asked about SI yet - next wk", False),
    ("she isnt suicidal, says the kids keep her going", False),
    ("havent screened for hypomania yet but she's been up all night 3 nights running, spending like mad", True),
])
def test_a_contraction_without_its_apostrophe_scopes_like_one_with_it(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    # a client introduced by a role and an age is the client; with a possessive or an article, someone else
    ("Student, 20, said she made herself sick four times yesterday and now scratches her arms", True),
    ("19yo student, scratching her arms again when stressed", True),
    ("her flatmate, 20, said she made herself sick and scratches her arms", False),
    ("A student in her halls cut herself last week", False),
])
def test_a_client_introduced_by_role_and_age_is_the_client(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,found", [
    # a count of drinks starts the match, so a possessor before the drinking keeps its scope
    ("Her husband drinks every night and she's sick of it.", False),
    ("her dad has 10 beers a day", False),
    ("drinking 8 cans of cider a day, shakes if he stops", True),
    ("he has a few strong beers every night", True),
])
def test_whose_daily_drinking_it_is(text: str, found: bool) -> None:
    deps = [s for s in read_text(text).signals.items if s.category == "severe_substance_dependence" and s.present]
    assert bool(deps) is found


@pytest.mark.parametrize("text,current", [
    # settling affairs without a possessive is the same warning sign; someone else's affairs are not
    ("has been 'getting affairs in order' - says just being practical", True),
    ("sorting affairs in order since the diagnosis, gave the dog to her sister", True),
    ("getting mum's affairs in order since the funeral", False),
])
def test_settling_affairs_in_any_words(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    # a screen done names its topic; the answer after it decides
    ("I screened for IPV with the standard questions and she said no to all of them.", False),
    ("screened for DV given the rows - says partner has 'never laid a finger on me', feels safe at home", False),
    ("screened for DV - disclosed he hit her last week", True),
    ("screened for SI - endorsed passive SI", True),
])
def test_a_screen_done_is_decided_by_its_answer(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current", [
    # a relative glossed with an age in brackets still speaks the quotation that follows
    ('Son (7) being bullied, has said "I wish I was dead" - pt taking him to GP this wk', False),
    ('her son (15) texted "I want to die" last night', False),
    ('Son (7) being bullied. Pt said "I wish I was dead" too.', True),
])
def test_a_relative_glossed_with_an_age_speaks_their_own_words(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,current,assertion", [
    # a topic written as a label, and what was done about it after the break
    ("SI ?? — didn't get to it.", False, "not_assessed"),
    ("SI ? - didn't ask, mum in the room (pt 13)", False, "not_assessed"),
    ("DSH hx + current: unknown, pt preferred not to go there at first appt", False, "not_assessed"),
    # ... not a follow-up on something else, and never a documented yes
    ("SI: yes, not asked about plan", True, "present"),
    ("C-SSRS positive - didn't get to ask about plan", True, "present"),
    ("SH - cutting daily, didn't ask about SI", True, "present"),
])
def test_a_label_left_unasked_is_not_assessed(text: str, current: bool, assertion: str) -> None:
    r = read_text(text).risk
    assert (r.level is not None, r.assertion) == (current, assertion)


@pytest.mark.parametrize("text,current", [
    # the procedure's own name is not a finding; what it found is
    ("Did the safeguarding questions at intake - no concerns, kids with their dad on weekends.", False),
    ("If one of my clients tells me about a neighbour's kids, what's the safeguarding route?", False),
    ("Safeguarding concern: she leaves the kids (3 and 5) alone at night to go out.", True),
])
def test_the_name_of_a_safeguarding_procedure_is_not_a_finding(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current


@pytest.mark.parametrize("text,methods", [
    # a method recorded as done in the session, in the verbs notes use for it
    ("Pointed out that she treats me like her critical older sister; explored this transference for most of the hour.",
     ["transference_interpretation"]),
    ("Linked her dream about the flood to her fear of losing her mother, as the dream's meaning.", ["dream_interpretation"]),
    # ... not one the clinician declined
    ("Pt mentioned a dream about her late husband; I said that's not what we do here.", []),
])
def test_a_method_recorded_as_done_is_out_of_frame(text: str, methods: list[str]) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert predict(text, get_catalog()).out_of_frame == methods


@pytest.mark.parametrize("text,mania", [
    # sleep wished for is ideation's, not mania's lessened need for sleep ...
    ("He says he's tired of everything and just wants to go to sleep and not wake up for a long, long time.", False),
    ("says she wants to 'go to sleep and not have to deal with any of it', has been saving up her zopiclone", False),
    # ... but mania said beside it stands, and with no other risk read the finding stays (ask about the wrong kind
    # rather than not ask)
    ("hasn't slept in 3 nights, says she doesn't want to sleep, too many ideas", True),
])
def test_sleep_wished_for_is_not_mania(text: str, mania: bool) -> None:
    assert ("mania" in read_text(text).risk.kinds) is mania


def test_focal_cues_in_ordinary_spellings() -> None:
    # a focal area's cue words joined by a hyphen, with "with" in shorthand, or the first word in its plural
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    cat = get_catalog()
    assert predict("we spent the whole hour on the falling-out with his business partner", cat).focal_area == "role_dispute"
    for text in ("low since the rows w mum started again", "conflict w/ her flatmate over bills"):
        cues = [s for s in read_text(text, catalog=cat).signals.items if s.category == "role_dispute" and s.source == "lexicon"]
        assert cues, text


@pytest.mark.parametrize("text,presentations", [
    # one occasion of drinking, read as intoxication now, is not dependence; a habit said beside it is
    ("drank half bottle of vodka before session 'to get thru it'. tearful, unsteady on her feet", ["intoxication"]),
    ("slurring today, says she drinks 'all day every day'", ["intoxication", "severe_substance_dependence"]),
    ("Her husband drinks all day every day.", []),
])
def test_intoxication_now_and_dependence_as_a_habit(text: str, presentations: list[str]) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert predict(text, get_catalog()).stabilise_first == presentations


@pytest.mark.parametrize("text,assertion", [
    # a condition by inversion opens the clause
    ("Were he to turn up drunk to a session, do I still run it?", "hypothetical"),
    ("Were my client to disclose a plan to overdose, who do I call first?", "hypothetical"),
    # time in words, and a stage of life with early/mid/late
    ("cut her arms in her late teens; nothing like that for decades", "historical"),
    ("overdose in the 1990s after a breakup, none since", "historical"),
    # ... but a decade with a possessive is an age, not a time
    ("she's in her 80s and says she wants to die", "present"),
    # "wnl" is a negative result
    ("mania screen (sleep, spending, speech) - all wnl", "negated"),
    # a label's "nil" with its own list, after a dash
    ("Risk ax – nil SI/SH", "negated"),
    # a second denial joined by "and" is no new predicate
    ("PHQ-9 item 9 scored 0 and denied any self-harm", "negated"),
    # asking how to raise a topic is a question, not a finding
    ("what's the best wording for asking about suicide with a 14 year old?", "hypothetical"),
    ("how do you even raise self harm with a teenager who won't talk", "hypothetical"),
    # someone the client knows by role, or owns what follows after "about"
    ("one of my client's students has been cutting", "other_person"),
    ("cl works in A&E – a patient took an overdose on her shift and died", "other_person"),
    ("we talked about brother's suicide attempt last spring", "other_person"),
])
def test_grammar_and_time_forms_scope_risk(text: str, assertion: str) -> None:
    r = read_text(text)
    assert r.risk.assertion == assertion, (text, r.risk.assertion, r.risk.level)


@pytest.mark.parametrize("text", [
    "scared of her husband's temper",  # a partner's is not only the partner's: it may be done to the client
    "no thoughts of harming baby; however pt hears baby's \"voice\" telling her to",  # the object of her verb
])
def test_an_owner_that_may_harm_or_is_heard_stays_the_clients(text: str) -> None:
    assert read_text(text).risk.assertion == "present"


def test_goodbyes_said_in_the_first_person_are_a_warning_sign() -> None:
    r = read_text("'I've said my goodbyes to everyone, I'm at peace now'")
    assert r.risk.level in ("possible_risk", "risk") and "suicide_plan" in r.risk.kinds


@pytest.mark.parametrize("text,psychosis", [
    # violence stated in so many words is what the clause is about: psychosis by meaning beside it, with nothing of
    # psychosis said, is not a presentation to stabilise first; the risk stays
    # (read-split wordings: the probes' psychosis fires on them, where it does not on most paraphrases)
    ("He's scared of his wife - she's threatened to stab him in his sleep and he's sleeping in the car. Is this IPV?", False),
    ("says if he sees his brother in law at the christening he'll 'put him in hospital'. has assaulted him before", False),
    # a word of psychosis in the clause keeps it
    ("He's convinced his neighbour is poisoning the water and has threatened to stab him.", True),
])
def test_psychosis_by_meaning_beside_surer_violence(text: str, psychosis: bool) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    p = predict(text, get_catalog())
    assert p.risk != "none"
    assert ("psychosis" in p.stabilise_first) is psychosis


@pytest.mark.parametrize("text,adaptation", [
    # an adaptation's programme named is the treatment the session is in, whatever the clause asks or whoever is in it
    ("Do I need to ask about hypomania at every IPSRT session?", "ipsrt"),
    ("Mum joined the second half (IPT-A) and asked what to do if he ever talks about dying", "ipt_a"),
    ("Parent-only session (IPT-A): dad asked what to do if she says she wants to die", "ipt_a"),
    # a history of mania is IPSRT's indication
    ("Manic episode in 2015 (sectioned), well on lithium since; focus is the new job", "ipsrt"),
    # an age at an event of later life is a floor on the client's age now
    ("Retired at 67 in March, misses his colleagues", "late_life"),
    ("stopped work aged 64 to care for her husband; PHQ-9 15", "late_life"),
])
def test_programme_named_history_of_mania_and_late_life_events(text: str, adaptation: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert adaptation in predict(text, get_catalog()).adaptations


@pytest.mark.parametrize("text,adaptation", [
    ("Her dad retired at 66 and now criticises everything she does", "late_life"),  # someone else's event
    ("Retired from the army at 45, misses the structure", "late_life"),  # an age that is not late life
    ("her mum has bipolar and was sectioned in 2015", "ipsrt"),  # someone else's history
])
def test_late_life_and_ipsrt_stay_the_clients(text: str, adaptation: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert adaptation not in predict(text, get_catalog()).adaptations


@pytest.mark.parametrize("text", [
    # an examination's own result, or "otherwise", never denies the risk written before it
    "passive SI daily, MSE otherwise NAD",
    "passive SI most days, MSE otherwise unremarkable",
    "hearing voices at night, sleep wnl",
    "SI with a plan to overdose, vitals wnl",
    "cutting again this week; all else wnl",
    # a clause that says its finding is now is not dated by the sentence's history
    "born in 1985, cutting daily now",
    "took an overdose years ago and has been stockpiling pills again",
    # a condition ends where the client's statement begins
    "If she is discharged, she says she will kill herself",
    "Were he to lose custody, he says he'd end it",
    # a score elsewhere in the note does not deny the risk before it
    "passive SI most days, GAD-7 scored low this week",
])
def test_a_stated_risk_is_not_denied_dated_or_supposed_by_words_about_something_else(text: str) -> None:
    _assert_stated(text)


def test_a_screens_result_in_words_still_denies() -> None:
    assert read_text("Screened for highs (sleep, spending, speed of speech) – all wnl").risk.level is None
    assert read_text("SI/HI/SH none").risk.assertion == "negated"


@pytest.mark.parametrize("text,assertion", [
    ("He tried to hang himself at 22 and he's now 47.", "historical"),  # "now" dates his age
    ("had one psychotic episode back then, clean since", "historical"),
    ("If she says she wants to die, what do I do?", "hypothetical"),  # the statement is inside the condition
])
def test_history_and_conditions_still_hold(text: str, assertion: str) -> None:
    assert read_text(text).risk.assertion == assertion


@pytest.mark.parametrize("text,assertion", [
    # how to raise something that happened supposes nothing about it ...
    ("how do you even bring up the cutting she showed me last week?", "present"),
    ("what's the best wording for asking her about the overdose she took on Friday?", "present"),
    # ... how to raise a topic asks about one not yet assessed
    ("how do you even bring up self harm with a boy of 13?", "hypothetical"),
])
def test_how_to_raise_an_event_or_a_topic(text: str, assertion: str) -> None:
    assert read_text(text).risk.assertion == assertion


@pytest.mark.parametrize("text", [
    # what was left unasked after a stated finding is its own subject, or more of the finding
    "passive SI daily, plan not reviewed",
    "wants to be dead most mornings; intent not revisited",
    "hearing voices - not explored further",
    "burning her arms again, not discussed in detail",
])
def test_a_stated_risk_is_not_made_unasked_by_what_was_left_for_later(text: str) -> None:
    _assert_stated(text)


@pytest.mark.parametrize("text", [
    "SI, HI not assessed",  # a list of labels left unasked
    "SI not revisited today",
    "self-harm - not asked (mum in the room)",
])
def test_a_topic_left_unasked_is_still_not_assessed(text: str) -> None:
    assert read_text(text).risk.assertion == "not_assessed", text


@pytest.mark.parametrize("text,current", [
    # a farewell sent through someone else is a warning sign to ask about ...
    ("texted her sister 'tell mum I always loved her' then switched her phone off", True),
    ("left a note on the fridge: make sure the boys know I'm sorry", True),
    # ... an ordinary message is not
    ("tell your dad I'll ring him after work", False),
    ("said to tell her nan she loves her, then went to school", False),
])
def test_a_farewell_sent_through_someone_else(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current, text


@pytest.mark.parametrize("text", [
    # a condition inside what the client said, with shorthand for "said" or a quote mark before it, is stated
    "sd 'if she takes the kids I'll finish it'",
    'said: "if he touches her again I\'ll kill him"',
])
def test_a_condition_the_client_said_is_stated(text: str) -> None:
    _assert_stated(text)


@pytest.mark.parametrize("text,frame", [
    # a pull toward a method the clinician held back from sets it aside
    ("resisted the temptation to challenge his thinking - stayed with the loss", False),
    ("stopped myself from setting a thought record and went back to the inventory", False),
    ("I want to challenge his thinking about the row with a thought record", True),
])
def test_a_method_held_back_from_is_set_aside(text: str, frame: bool) -> None:
    found = [x for x in read_text(text).signals.items if x.family == "frame" and x.assertion == "present"]
    assert bool(found) is frame, (text, found)


@pytest.mark.parametrize("text,kind", [
    # not being able to stop is the thing going on, never a denial of it
    ("says he can't stop thinking about ending it", "suicidal_ideation"),
    ("can't stop thinking about dying lately", "suicidal_ideation"),
    ("no SI today but cannot stop picking at the wounds on her legs", "self_harm"),
])
def test_not_being_able_to_stop_is_not_a_denial(text: str, kind: str) -> None:
    r = read_text(text)
    assert r.risk.level is not None and kind in r.risk.kinds, (text, r.risk.kinds)


def _fit(text: str, category: str) -> str | None:
    found = [x.assertion for x in read_text(text).signals.items if x.category == category]
    return "present" if "present" in found else (found[0] if found else None)


@pytest.mark.parametrize("text,category,assertion", [
    ("drinks from waking, 'can't cut down', lost his licence", "severe_substance_dependence", "present"),
    # a date before a break is the trauma's; what follows is how the client is now ...
    ("attacked on a night out in 2023 - flashbacks daily, won't go into town", "trauma_focused_needed", "present"),
    # ... and a date on the symptoms themselves still dates them
    ("had flashbacks for a few months after the crash in 2015, none for years", "trauma_focused_needed", "historical"),
])
def test_dependence_and_trauma_are_read_as_now(text: str, category: str, assertion: str | None) -> None:
    got = _fit(text, category)
    assert (got == "present") is (assertion == "present"), (text, got)
    if assertion not in (None, "present"):
        assert got == assertion, (text, got)


@pytest.mark.parametrize("text", [
    # negations that say the risk is there: safety that cannot be promised or kept, a risk not ruled out or not
    # denied, a wish to live that is gone (each read as a denial before, and the risk was lost)
    "can't promise she won't hurt herself tonight",
    "unsure if he can keep himself safe this weekend",
    "would not rule out hurting herself again",
    "did not deny having a plan when I asked",
    "no longer wants to live, she says",
])
def test_a_negation_that_says_the_risk_is_there(text: str) -> None:
    _assert_stated(text)


@pytest.mark.parametrize("text", [
    "denies SI, intent or plan; able to keep herself safe",
    "SI ruled out on careful questioning",
    "no longer self-harming, 6 months without",
    "no longer wants to die, she says, since starting the new job",  # a wish to die that is gone is not one to live
    "no longer wishes she were dead",
    "she did deny SI when asked directly",  # "did deny" is a denial, "did not deny" is not
    "does deny any thoughts of self-harm",
    "she could promise she won't hurt herself and agreed the safety plan",
])
def test_denials_near_those_words_still_deny(text: str) -> None:
    assert read_text(text).risk.level is None, text


@pytest.mark.parametrize("text,current", [
    # a fixed idiom that only looks like risk: the finding by meaning must hold without its words ...
    ("she'd sooner shoot herself in the foot than apologise to him", False),
    ("he would rather shoot himself in the foot than ask for help", False),
    # ... and risk said beside the idiom still stands
    ("this job is killing me and some days I want to die", True),
    ("bored to death at home, says she wishes she were dead", True),
])
def test_an_idiom_that_only_looks_like_risk(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current, text


def test_the_idioms_are_data_and_never_mask_the_text() -> None:
    from assistant.signals.detect import figurative_spans

    text = "the commute is killing me, dying to get home"
    spans = figurative_spans(text)
    assert [text[a:b] for a, b in spans] == ["is killing me", "dying to get"]
    assert read_text(text).signals.text == text  # the reading keeps the words as written


@pytest.mark.parametrize("text", [
    # classic risk language whose negation is its meaning (each read as a denial, or not at all, before)
    "doesn't feel safe at home with him since the move",
    "says there's nothing left to live for now the kids have gone",
    "she can't see any future for herself",
    "not planning to be around for her birthday, she told her sister",
    "never know what state he'll come home in - walking on eggshells",
])
def test_risk_said_with_a_negation_that_is_its_meaning(text: str) -> None:
    assert _level(text) is not None, text


@pytest.mark.parametrize("text", [
    "feels safe at home now he has moved out",
    "no point in going to the party, she says, she hates crowds",
    "not going to be around next week - on holiday",
])
def test_the_same_words_without_the_risk(text: str) -> None:
    assert _level(text) is None, text


@pytest.mark.parametrize("text", [
    # more of the same review: an idiom for unwell before a finding, indifference to waking, not being missed, ideas of
    # reference in plain words, and uncertainty whether an experience is real
    "not himself at all - burning his hands on the hob",
    "says she isn't fussed whether she wakes up tomorrow",
    "nobody would even miss him, he said",
    "convinced the radio is sending him messages",
    "struggling to tell whether the voices are real",
])
def test_more_risk_said_with_a_negation_or_in_plain_words(text: str) -> None:
    assert _level(text) is not None, text


@pytest.mark.parametrize("text", [
    "How can I tell if she's suicidal when she smiles through everything?",
    "nobody would notice if the shop closed early",
    "the TV talk show about grief upset her",
])
def test_those_words_about_something_else(text: str) -> None:
    assert _level(text) is None, text


@pytest.mark.parametrize("text,current", [
    # a history that has begun again is now ...
    ("used to cut herself at uni and started again last month", True),
    ("used to self-harm as a teen and it started again after the break-up", True),
    # ... a history that has not, or a plan to start something else again, is not
    ("used to cut herself at uni, none since", False),
    ("used to cut herself at uni and started the gym again last month", False),
])
def test_a_history_that_has_begun_again(text: str, current: bool) -> None:
    assert (_level(text) is not None) is current, text


@pytest.mark.parametrize("text,assertion", [
    # a risk still to be ruled out is not yet assessed ...
    ("will rule out SI first next session", "not_assessed"),
    ("I'll rule out psychosis at the next appointment", "not_assessed"),
    # ... one that cannot or will not be ruled out may be there
    ("she won't rule out hurting herself", "present"),
    ("can't rule out that she is suicidal", "present"),
    ("SI ruled out", "negated"),
])
def test_a_risk_still_to_be_ruled_out(text: str, assertion: str) -> None:
    assert read_text(text).risk.assertion == assertion, text


@pytest.mark.parametrize("text,assertion", [
    # a label answered as history, or as not applicable
    ("DV - yes, historic (prev partner, left 2018)", "historical"),
    ("SH: historical only", "historical"),
    ("Risk: SI - no. SH - no. DV - yes, historic (prev partner). Safeguarding - n/a.", "negated"),
    # ... but not a history begun again, nor a plan that is not applicable
    ("SH - past, cutting again since Friday", "present"),
    ("passive SI daily, safety plan - n/a", "present"),
])
def test_a_label_answered_as_history_or_not_applicable(text: str, assertion: str) -> None:
    assert read_text(text).risk.assertion == assertion, text


@pytest.mark.parametrize("text,current", [
    # a new statement after a denial's list is not denied: "still" opens one
    ("no thoughts of harming others, still thinks about hitting his brother", True),
    ("denies SI, still hears voices telling her to jump", True),
    ("denies SI, HI or SH", False),
    # a denial reaches every item of its list ("said no" reached six words)
    ("says no thoughts of ending her life or hurting herself at the moment", False),
    ("said no to the group idea and has been hearing voices again", True),
])
def test_a_denial_reaches_its_list_and_no_further(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,current", [
    ("Weekend: 'overdosed on box sets' Sat, went to the pub quiz Sun", False),
    ("overdosed on box sets then took 20 paracetamol", True),
    ("overdosed on her sleeping tablets Sat", True),
    # letters kept for the family for later, and the same words without the farewell
    ("Has written a letter to each of the kids 'for when they're older'", True),
    ("recording videos for her daughter for when she's older", True),
    ("wrote a letter to her late mum as grief homework", False),
    ("wrote cards to the kids for Christmas", False),
])
def test_an_overdose_of_box_sets_and_letters_for_later(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,assertion", [
    # what the client grew up with is history; a partner's control now is not
    ("grew up with domestic violence", "historical"),
    ("grew up around DV, dad hit mum", "historical"),
    ("grew up with DV; current partner controls her money", "present"),
])
def test_a_childhood_with_violence(text: str, assertion: str) -> None:
    assert read_text(text).risk.assertion == assertion, text


@pytest.mark.parametrize("text,level", [
    # a partner's control of the client's money in plain words is partner violence stated (it read as a sign only) ...
    ("partner controls his benefits", "risk"),
    ("bf controls her spending", "risk"),
    ("grew up with DV; current partner controls her money", "risk"),
    # ... not the household's money
    ("she controls the money in the house and he resents it", None),
])
def test_control_of_her_money(text: str, level: str | None) -> None:
    assert read_text(text).risk.level == level, text


@pytest.mark.parametrize("text,current", [
    # the rules that set a method aside as belonging to another model deny no risk ("is in", "was a" had denied it)
    ("cutting daily and she is in a bad way", True),
    # "ex-" before an occupation or a habit is not an ex-partner
    ("ex-smoker, cutting her arms since Friday", True),
    ("ex-partner hits her kids when they visit", True),
    # a scale's risk item given as negative answers the question screened with it
    ("I screened her for suicidal thoughts using the PHQ-9 and item 9 was a zero, and she was clear when I asked", False),
    ("screened her for suicidal thoughts using the PHQ-9 and item 9 was a zero but she's been cutting", True),
])
def test_scope_slips_that_lost_or_denied_a_risk(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,presentation", [
    # a condition after a presentation's first words says when the symptom comes, not that it is supposed
    ("Drinking from when he wakes, shakes + sweats if he goes past lunch w/o one, not drunk in session",
     "severe_substance_dependence"),
    ("Ex-soldier, still wakes up screaming years after the ambush, hits the deck when a car backfires, relives it daily - "
     "is IPT enough or does he need trauma-focused work first?", "trauma_focused_needed"),
])
def test_a_presentation_with_the_conditions_it_comes_in(text: str, presentation: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert presentation in predict(text, get_catalog()).stabilise_first, text


def test_a_supposed_presentation_stays_supposed() -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert "severe_substance_dependence" not in predict(
        "if he ever started drinking daily again, would IPT still fit?", get_catalog()).stabilise_first


@pytest.mark.parametrize("text,current", [
    # a counterfactual of what keeps the client alive states the ideation
    ("if it wasn't for the kids she'd end it all", True),
    ("if he ever hits her again she'll leave", False),
    # death preferred to going back; not the figure of speech "rather die than"
    ("would rather be dead than go back to him", True),
    ("'I'd rather die than go to another baby group' - laughing", False),
    # "never" as an intensifier does not deny what the line goes on to say
    ("has never been worse - cutting most nights", True),
    ("never felt so low, keeps thinking of jumping off the bridge", True),
    ("never felt this bad, but no thoughts of suicide", False),
])
def test_counterfactuals_preferences_and_intensifiers(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,current", [
    # the round's own rules, narrowed on a last review: a recent stretch is not history ...
    ("SH - past 2 weeks, most nights", True),
    # ... and "never" denies what it denies
    ("never felt suicidal", False),
    ("never been so angry that he'd hit anyone", False),
    ("never felt so low, no thoughts of suicide", False),
    ("not felt this suicidal in years", True),
])
def test_the_rounds_rules_do_not_reach_too_far(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,level", [
    # a scale's risk item scored above 0 is a documented answer, not a question still open
    ("screened for suicidal thoughts with the PHQ-9, item 9 scored 2", "risk"),
    ("asked re suicidal thoughts, PHQ-9 q9 = 2", "risk"),
    # ... scored 0, it answers no; not done yet, the question stays open
    ("screened her for suicidal thoughts using the PHQ-9 and item 9 was a zero", None),
    ("asked about suicidal thoughts - will do PHQ-9 next wk", "possible_risk"),
])
def test_a_scale_item_answers_the_question_screened_with_it(text: str, level: str | None) -> None:
    assert read_text(text).risk.level == level, text
