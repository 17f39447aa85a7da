"""Forms found in round 30 (a safety review in phrasings of my own, and fresh writers' read halves): whose risk it
is when a passive names who found the client, a safeguarding concern about the client's own child, an answer
that opens with an exclamation, a denial "just yet", the client's safety not assessed, and drafts that deny what
the bullets do not. Each pair differs in the one fact that decides it."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.signals import analyse, read_text, risk_view
from assistant.signals.answers import answer


def _risk(text: str) -> tuple[str | None, str | None]:
    r = read_text(text)
    return r.risk.level, r.risk.assertion


@pytest.mark.parametrize("text", [
    "She was found by her husband unconscious after taking pills",
    "was stopped by a stranger from climbing over the railings",
])
def test_whoever_found_or_stopped_the_client_is_not_whose_risk_it_is(text: str) -> None:
    level, assertion = _risk(text)
    assert level is not None and assertion == "present", (text, level, assertion)


@pytest.mark.parametrize("text", [
    "her brother was found after taking an overdose",
    "her brother was found by the police after taking an overdose",
])
def test_a_relative_who_was_found_is_the_one_it_happened_to(text: str) -> None:
    # "was found" is a passive: the brother is the one found, not an informant who found something
    level, assertion = _risk(text)
    assert level is None and assertion == "other_person", (text, level, assertion)


@pytest.mark.parametrize("text,current", [
    ("Her toddler has bruises she couldn't explain", True),
    ("her toddler has bruises she couldn't explain and she says her boyfriend loses it", True),
    ("Neighbour's kids have bruises, pt worried", False),
    ("Her neighbour's toddler has bruises", False),
    ("her son (34) has bruises from his partner", False),
    ("her grown-up daughter's kids have bruises", False),
])
def test_a_safeguarding_concern_about_the_clients_own_child_is_the_clients_case(text: str, current: bool) -> None:
    # The rules (as the notes read bullets, without the reader): the reader, which reads a child's experience as
    # someone else's, still takes the first back in a question (letting it stand was vetoed by two never-read columns).
    view = risk_view(analyse(text, reader=False))
    assert bool(view.present) is current, (text, [(s.category, s.assertion) for s in view.signals])
    if current:
        assert any(s.category == "safeguarding" for s in view.present)


@pytest.mark.parametrize("text", [
    "'Good heavens no, not with the great-grandchildren coming along'",
    "'Heavens, no!'",
    "'Goodness, no'",
    "'Christ no'",
    "'Absolutely not, I'd never do that to my girls'",
    "'not a chance'",
    "'never crossed my mind'",
])
def test_an_answer_that_opens_with_an_exclamation_is_a_no(text: str) -> None:
    assert answer(text) == "negated"


@pytest.mark.parametrize("text", ["'no plan'", "'not at the moment'", "goodness knows", "'god not again'"])
def test_a_denial_of_something_else_is_no_bare_no(text: str) -> None:
    assert answer(text) is None


ASKED = ("Mr O, 78 - IPT sess 3/16 (agreed focus: interpersonal deficits)\nGDS-15 7\n"
         "Asked directly about thoughts of ending his life - {answer}\nTask: ring the bowls club secretary")


@pytest.mark.parametrize("said,status", [
    ("'Good heavens no, not with the great-grandchildren coming along'", "denied"),
    ("'yes, most days'", "present"),
])
def test_the_answer_to_a_direct_question_decides(said: str, status: str) -> None:
    assert parse_bullets(ASKED.format(answer=said), get_catalog()).risk.status == status


MORPHINE = ("Mr T (81) - IPT sess 7 of 16, grief (wife Joan d. Oct)\nGDS-15: 11\n"
            "Said he has 'kept back a month of Joan's morphine, in case I decide I've had enough'\n{intent}\n"
            "Next: reconstruct relationship")


def test_no_intention_just_yet_does_not_answer_means_kept_back() -> None:
    status = parse_bullets(MORPHINE.format(intent="States no intention 'just yet'"), get_catalog()).risk.status
    assert status in ("present", "possible")


def test_a_plain_denial_of_intent_is_still_a_denial() -> None:
    # the pair: without "just yet" the intent is denied (the means kept back is then answered by it)
    facts = parse_bullets("s5/16 grief\nSI screen: denies, no intent\nHW: call sister", get_catalog())
    assert facts.risk.status == "denied"


@pytest.mark.parametrize("line,status", [
    ("Unable to assess mood or safety today.", "not_assessed"),
    ("Safety not assessed - call cut short.", "not_assessed"),
    ("Talked about feeling safer at work since the move.", "not_documented"),
])
def test_the_clients_safety_not_assessed(line: str, status: str) -> None:
    bullets = f"Client did not attend IPT session 10/16.\nNo call/no show.\n{line}\nLetter sent re rescheduling."
    assert parse_bullets(bullets, get_catalog()).risk.status == status


def _flags(draft: str, bullets: str) -> list[str]:
    return [p.span for p in find_unsupported(draft, bullets, get_catalog())]


GRIEF_SI = ("s2/16 70F grief - sister Marg d. Nov (cancer)\nPHQ-9 16, sleep broken\n"
            "SI: reports thoughts of joining Marg 'most days', {denial}\nHW: bring photo of Marg")


@pytest.mark.parametrize("denial,flagged", [
    ("denies plan", True),  # the plan is denied; the thoughts are stated
    ("denies plan; on review today denies any thoughts of wanting to die", False),
])
def test_a_denial_of_ideation_in_other_words_needs_a_denial_of_ideation(denial: str, flagged: bool) -> None:
    bullets = GRIEF_SI.format(denial=denial) if flagged else \
        "s2/16 70F grief - sister Marg d. Nov\nPHQ-9 16\nSI: denies any thoughts of wanting to die, denies plan\nHW: photo"
    assert bool(_flags("She denied any thoughts of wanting to die.", bullets)) is flagged


@pytest.mark.parametrize("intent,flagged", [
    ("intent 'maybe'", True),
    ("no intent", False),
])
def test_an_intent_denied_only_in_the_draft(intent: str, flagged: bool) -> None:
    bullets = (f"s12/16, 28M, RD w/ partner\nSI: active, plan to overdose on paracetamol stored at home, {intent}\n"
               "agreed to give paracetamol to flatmate today; crisis line no.\nPHQ-9 22")
    assert bool(_flags("He said he has no intention of acting on the plan.", bullets)) is flagged


@pytest.mark.parametrize("text", [
    "she talked about her dad's SH",
    "she spoke about her dad's overdose",
    "D spoke about her dad's SH last month",
])
def test_a_parents_act_on_themselves_talked_about_is_theirs(text: str) -> None:
    # a parent's or partner's violence talked about may be done to the client; their self-harm or overdose cannot
    level, assertion = _risk(text)
    assert level is None and assertion == "other_person", (text, level, assertion)


def test_a_partners_temper_talked_about_may_still_be_the_clients_risk() -> None:
    assert read_text("she is scared of her husband's temper").risk.level is not None


@pytest.mark.parametrize("draft,bullets,flagged", [
    # the bullets' shorthand for an absence supports it in words
    ("L denied suicidal ideation, and no concerns were raised.", "IPT-G 12/12\nrisk: L denies SI; nil concerns raised", False),
    ("L denied suicidal ideation, and no concerns were raised.", "IPT-G 12/12\nrisk: L denies SI", True),
    ("He reported suicidal ideation and was reminded about his homework.",
     "phone contact, 44M\ndenies SI when asked\nreminded re HW", True),
    # a quotation of the client's between the subject and the denial the bullets report
    ("The client said, \"it was the cat,\" and denied self-harm and suicidal ideation.",
     "IPT-A s4/12 joint w/ mum\nmum found scratches on pt's wrist last wk; pt: 'it was the cat', denies SH, denies SI",
     False),
])
def test_faithful_wordings_of_what_the_bullets_say(draft: str, bullets: str, flagged: bool) -> None:
    assert bool(_flags(draft, bullets)) is flagged, _flags(draft, bullets)


@pytest.mark.parametrize("text,grief", [
    ("Her brother topped himself at Christmas and she can't stop asking why.", True),
    ("His mum pegged it when he was 12 and he says he never grieved.", True),
    ("Her dad's gone to be with the Lord and her church says she shouldn't be sad.", True),
    ("Client's partner 'didn't make it' after the crash; she was the one driving.", True),
    ("her husband didn't pull through after the surgery", True),
    ("she didn't make it to the session, car broke down", False),
    ("she topped herself up with gin before the party", False),
    ("he hung himself out to dry at work by taking the blame", False),
])
def test_a_death_in_slang_or_faiths_words_is_grief(text: str, grief: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    assert (read_text(text, catalog=catalog).focal.primary == "grief") is grief


@pytest.mark.parametrize("text,current", [
    ("Heard voices briefly after heavy cannabis at uni - resolved, nothing in 10 yrs.", False),
    ("OD 2015, nothing in years", False),
    ("Teens: burned her arms with cigarettes. 'That's not me anymore' - 20 yrs ago.", False),
    ("cutting since her teens, none in the last week", True),  # a week is no stretch of years
    ("burned her arms with cigarettes last night", True),
])
def test_none_in_a_stretch_of_years_and_a_period_of_life_as_a_label_date_what_came_before(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current


@pytest.mark.parametrize("text,level", [
    ("'what's the point of any of it' x3 this session", "possible_risk"),
    ("quietly said she hasn't eaten in 3 days 'because what's the point'", "possible_risk"),
    ("M: 'what's the point of me now' - not explored in grp, flagged for 1:1 call", "possible_risk"),
    ("his kids 'would honestly do better without me dragging them down'", "possible_risk"),
    ("what's the point of going to the party if he won't be there", None),
    ("How do I respond when my client asks 'what's the point' about therapy, not life?", None),
])
def test_hopelessness_and_burden_in_the_clients_words(text: str, level: str | None) -> None:
    # at least the possible level (ask directly); the probes may read it as ideation stated
    got = risk_view(analyse(text, reader=False)).level
    assert (got is not None) is (level is not None), (text, got)


def test_burden_said_of_someone_else_is_no_lexicon_finding() -> None:
    # "she'd do better without him" is advice about a partner, not the speaker's burden: the lexicon leaves it to
    # the probes
    assert not any(s.source == "lexicon" for s in analyse("she'd do better without him, her sister says").items)


@pytest.mark.parametrize("text,assertion", [
    ("'I want to die' - not explored", "present"),  # the client's words quoted: said, whatever was not explored
    ("SI - not asked", "not_assessed"),  # a topic as a label: what was done about it
    ("suicidal thoughts: didn't get to it", "not_assessed"),
])
def test_a_quoted_finding_is_said_not_a_topic_left_unasked(text: str, assertion: str) -> None:
    assert risk_view(analyse(text, reader=False)).assertion == assertion, text


@pytest.mark.parametrize("text,current", [
    ("Do I need to stop IPT with a client who hears a voice commenting on everything she does and thinks thoughts are "
     "being taken out of her head? Months of this, no treatment.", True),
    ("How do I work with a client who hears voices? I've never had one.", False),
])
def test_how_long_it_has_gone_on_makes_a_client_who_a_particular_client(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current


@pytest.mark.parametrize("text,methods", [
    ("Supervisor suggested thought records, but I said we'd keep to the dispute with her partner and use communication "
     "analysis instead. Was that the right call?", []),
    ("The eating disorder team are doing exposure to feared foods with her; I'm seeing her for IPT about the conflict "
     "with her mum. Anything to watch for?", []),
    ("She uses a sleep app with a 'mindfulness' track at night - nothing to do with our work, just flagging.", []),
    ("Asbestos exposure at his old plant - he's just been told it's mesothelioma. Where do I even start?", []),
    ("Should I do some exposure with her for the panic?", ["exposure"]),
    ("Should we do thought records? She wants them.", ["thought_records"]),
])
def test_methods_declined_done_elsewhere_or_only_a_look_alike_word(text: str, methods: list[str], catalog) -> None:  # type: ignore[no-untyped-def]
    assert read_text(text, catalog=catalog).request.out_of_frame == methods


@pytest.mark.parametrize("text,kind", [
    ("he pinned her against the fridge by the throat last week", "ipv"),  # strangulation, words between
    ("he said if she takes the kids he'll burn the house down with them in it", "harm_to_others"),
])
def test_strangulation_and_a_threat_to_burn_people_inside_are_stated_risk(text: str, kind: str) -> None:
    r = read_text(text)
    assert r.risk.level == "risk" and kind in r.risk.kinds, (text, r.risk.level, r.risk.kinds)


@pytest.mark.parametrize("text,current", [
    ("No SH for 6 months - until last night", True),
    ("No SH for a year up to yesterday, then cut", True),
    ("denies SI, will keep the safety plan until Friday", False),
    ("No SH for 6 months", False),
])
def test_a_denial_broken_off_recently_says_it_happened_then(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,current", [
    ("Denies SI (mum reports she's been saying she wants to die)", True),  # the informant's report is not denied
    ("Denies SI - mum reports no concerns", False),
    ("pt reports no change in SI", True),  # no change: still there
    ("no change in mood, no SI", False),
    ("no thoughts of suicide that she'd admit to", True),  # a denial only as far as she will say
    ("no SI at the moment, it comes and goes", True),
    ("no SI, no SH, mood better", False),
])
def test_denials_that_leave_the_risk_open(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("line,status", [
    ("no SI at the moment, it comes and goes", "possible"),
    ("No SH for 6 months - until last night", "present"),
    ("No SH for 6 months - reviewed safety plan", "denied"),
    ("Denies SI (mum reports she's been saying she wants to die)", "possible"),
    ("pt reports no change in SI", "present"),
])
def test_a_note_keeps_a_denial_that_is_qualified_or_broken_off_open(line: str, status: str) -> None:
    bullets = f"s6/16 RD w/ husband\n{line}\nHW: talk to husband re chores"
    assert parse_bullets(bullets, get_catalog()).risk.status == status


@pytest.mark.parametrize("text,primary,secondary", [
    ("Focus agreed session 3: grief (complicated) for husband; secondary role transition to living alone.",
     "grief", "role_transition"),
    ("He uses heroin every day. He's asking for help with his grief about his mum. Can I start IPT alongside?",
     "grief", None),
    ("I'm considering mindfulness as our focus instead of the grief work about his wife - sensible?", "grief", None),
    ("Role dispute with her mum; secondary: grief", "role_dispute", None),
    ("She's grieving the marriage more than anything", None, None),  # no death, no focus named
])
def test_a_focus_named_outright_wins(text: str, primary: str | None, secondary: str | None, catalog) -> None:  # type: ignore[no-untyped-def]
    from assistant.signals.screens import named_focus

    focal = read_text(text, catalog=catalog, explicit_focus=named_focus(text)).focal
    assert focal.primary == primary
    if secondary:
        assert focal.secondary == secondary


def test_one_area_named_still_names_it() -> None:
    from assistant.signals.screens import named_focus

    assert named_focus("Session 5, role dispute with her mother over the wedding plans.") == "role_dispute"


@pytest.mark.parametrize("bullets,status", [
    # a partner's veiled threat and fear of going home (at least possible: ask directly)
    ("s8/16 RD w/ partner\npartner texted 'you'll regret it if you leave' - pt scared to go home\nHW: call sister",
     ("present", "possible")),
    # a call that ended before the risk questions
    ("s4/16 grief\nphone session, line dropped before risk qs\nwill call back tmrw to complete\nHW: photos",
     ("not_assessed",)),
    # a denial of anything else does not answer what was said
    ("s2/16 deficits\nlives alone, no contacts\nadmits he drives 'too fast on purpose, hoping'\nno plan otherwise",
     ("present", "possible")),
])
def test_note_risk_status_in_my_own_phrasings(bullets: str, status: tuple[str, ...]) -> None:
    assert parse_bullets(bullets, get_catalog()).risk.status in status


@pytest.mark.parametrize("text", ["you'll regret it if you skip dessert", "she'd do better without him, her sister says"])
def test_look_alikes_of_the_new_forms(text: str) -> None:
    assert not any(s.source == "lexicon" and s.family == "risk" for s in analyse(text).items), text


def test_certain_of_a_persecutory_message_is_psychosis() -> None:
    r = read_text("She wrote down her dreams all week and is certain they're messages from MI5 about the neighbours.")
    assert r.risk.level is not None and "psychosis" in r.risk.kinds


@pytest.mark.parametrize("text,current", [
    ("no SH x6/12 until last wk", True),  # the stop check's shorthand
    ("SH-free until last wknd when she cut", True),
])
def test_a_denial_broken_off_in_shorthand(text: str, current: bool) -> None:
    assert (read_text(text).risk.level is not None) is current, text


@pytest.mark.parametrize("text,grief", [
    ("his dad shuffled off this mortal coil last spring and he hasn't cried once", True),
    ("she shuffled off to the kitchen after the row", False),
])
def test_a_death_in_a_literary_euphemism(text: str, grief: bool, catalog) -> None:  # type: ignore[no-untyped-def]
    assert (read_text(text, catalog=catalog).focal.primary == "grief") is grief
