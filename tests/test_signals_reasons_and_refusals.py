"""Forms found in a safety review in phrasings of my own and in fresh writers' read halves (round 29): a reason
for living said as a counterfactual, perceived burdensomeness, an age between a possessive and a relative, a
remission that dates what came before it, and methods the clinician declines or another provider uses."""

from __future__ import annotations

import pytest

from assistant.signals import read_text


def _current(text: str) -> bool:
    return read_text(text).risk.level is not None


def _frame(text: str, catalog) -> list[str]:  # type: ignore[no-untyped-def]
    return read_text(text, catalog=catalog).request.out_of_frame


@pytest.mark.parametrize("text", [
    "she'd have killed herself by now without the kids",
    "she'd be dead by now if it weren't for the kids",
    "I would have killed myself long ago if it wasn't for my son",
    "if it wasn't for my daughter I'd have done it years ago",
    "would have done it years ago if not for her mum",
    "without her mum she'd be gone, she says",
    "only reason she hasn't killed herself is her daughter",
    "the only reason he hasn't gone through with it is his mum",
    "her son is the only reason she's still here",
    "the kids are the only thing keeping her alive",
    "says her grandkids are the only thing stopping him from doing it",
])
def test_alive_only_because_of_someone_is_ideation_stated(text: str) -> None:
    # The whole counterfactual is the finding: its "if", "not", "years ago" and the person named in it neither
    # suppose, deny, date it nor make it someone else's.
    r = read_text(text)
    assert r.risk.level == "risk" and r.risk.assertion == "present", (text, r.risk.level, r.risk.assertion)
    assert "suicidal_ideation" in r.risk.kinds
    assert not any(s.category == "completed_suicide" for s in r.signals.items)


@pytest.mark.parametrize("text", [
    "the only reason she's here today is her sister made her come",
    "nearly killed herself on the stairs when the carpet came loose",
    "the only thing that keeps him going through the week is football",
])
def test_a_reason_to_attend_or_an_accident_is_not_ideation(text: str) -> None:
    assert read_text(text).risk.level is None


def test_someone_elses_suicide_is_still_a_death() -> None:
    r = read_text("her brother killed himself in 2019")
    assert r.risk.level is None
    assert any(s.category == "completed_suicide" for s in r.signals.items)


@pytest.mark.parametrize("text,level", [
    ("consider cognitive restructuring for the 'I'm just a burden to everyone' beliefs", "possible_risk"),
    ("feels like a burden on the family since the stroke", "possible_risk"),
    ("wife of 50 yrs gone since Easter, 78, eating little, 'nothing to get up for'", "possible_risk"),
    # a fear of becoming one is not the belief of being one
    ("doesn't want to be a burden to her kids when she's older", None),
])
def test_a_burden_to_everyone_and_nothing_to_get_up_for_ask_directly(text: str, level: str | None) -> None:
    assert read_text(text).risk.level == level


@pytest.mark.parametrize("text", [
    "Her 15-yo son has been cutting",
    "Her 15 yo son has been cutting",
    "Her 15-yo son has been cutting and CAMHS are involved - is that the focus, or her own low mood?",
    "his 80 yr old mum keeps saying she wants to die",
    "his 80yo mum keeps saying she wants to die",
])
def test_an_age_between_the_possessive_and_the_relative(text: str) -> None:
    r = read_text(text)
    assert r.risk.level is None and r.risk.assertion == "other_person", (text, r.risk.assertion)


@pytest.mark.parametrize("text,current", [
    ("She had a manic episode at uni but has been well for eight years. Is IPT okay for her now?", False),
    ("psychotic episode in 2019 but stable since", False),
    # a contrast that is not a remission still starts a clause of its own
    ("cutting daily but she's well otherwise", True),
])
def test_a_remission_after_but_dates_what_came_before(text: str, current: bool) -> None:
    assert _current(text) is current


def test_a_fixed_idiom_holds_its_abbreviation_too() -> None:
    assert read_text("joked she'd 'OD'd on chocolate'").risk.level is None
    assert read_text("OD'd on paracetamol last night").risk.level == "risk"


@pytest.mark.parametrize("text", [
    "pt wants to 'go back to childhood' to find the cause - gently redirected to what's happening in her relationships now",
    "She wants to talk about her childhood a lot, but I've been gently bringing it back to the current fights with her partner",
    "Client asked if she should just 'think positive' about the separation. I said that's not really our approach - what do I offer instead?",
    "Supervisee wanted to introduce exposure work for a client's panic. I told her that's out of scope for our IPT contract.",
    "I used to be a CBT therapist and I keep wanting to set homework to challenge her thoughts. I'm stopping myself - any tips?",
    "Her daughter's counsellor is doing the 'talk to the empty chair' thing with her about the divorce. Should I worry?",
])
def test_a_method_declined_redirected_or_someone_elses_is_not_asked_for(text: str, catalog) -> None:
    assert _frame(text, catalog) == []


@pytest.mark.parametrize("text,method", [
    # asking whether a method leaves the model is still considering it
    ("is a three column diary (situation / thought / feeling) something I can slip into session 6 or does that take us "
     "out of the model", "thought_records"),
    ("would it be out of model to question her 'nobody likes me' thinking head on - what's the proof for and against",
     "cognitive_restructuring"),
    ("wk 5: map her core beliefs ('I'm defective') from early yrs + how they drive who she picks as partners", "schema_work"),
    # homework brought back is no redirection
    ("ask her to fill in a thought record and bring it back next week", "thought_records"),
    ("set a mood diary, she will bring it back on Tuesday", "thought_records"),
    ("explored lifelong core beliefs of being unlovable; plan to map her 'lifetraps' next wk", "schema_work"),
])
def test_a_method_still_considered(text: str, method: str, catalog) -> None:
    assert method in _frame(text, catalog)


@pytest.mark.parametrize("text,current", [
    ("'Some mornings I don't really care if I wake up or not'", True),
    ("doesn't care whether he lives or dies", True),
    # a relative's death by overdose, its cause in brackets after the death's shorthand, is theirs
    ("son/brother Tom d. (overdose) 1yr", False),
    # ... and a death's shorthand that ends a sentence does not reach the next one
    ("Mum d. Pt cutting again", True),
    # a time before this treatment is the past; drinking before each session is a habit of now
    ("SI hx only (pre-tx)", False),
    ("suicidal thoughts before starting therapy, none since", False),
    ("says his sister is suicidal; pt denies SI himself but smelled of ETOH today and admits drinking before sessions", True),
    ("tying up loose ends at work before mat leave", False),
])
def test_indifference_to_waking_deaths_shorthand_and_times_before_treatment(text: str, current: bool) -> None:
    assert _current(text) is current, text


@pytest.mark.parametrize("text,current", [
    # self-harm concealed: dressings where it is usual, sleeves kept down in the heat
    ("Pt ? SH - fresh plasters on both wrists, long sleeves in August, would not discuss", True),
    # a wish to be dead without death's words
    ("I want to go to sleep forever, like my mother", True),
    ("doesn't want to kill himself, just wants to stop existing for a while", True),
    # farewells in other words, one's own funeral arranged, someone's worry that the client will "do something silly"
    ('Rang each of his old friends this week "to say cheerio" - some he hasn\'t spoken to in 20 years.', True),
    ("making funeral arrangements for self, 'so the kids don't have to'", True),
    ("Friend's msg to client: 'thinking of you, pls don't do anything silly x'.", True),
    ('84-year-old gentleman says "I\'d never do anything silly, I\'ve too much respect for life"', False),
    # intoxication on arrival; a partner's permission for her movements
    ("tipsy on arrival ('pre-drinks for my birthday!'), cheery", True),
    ("no friends left since moving in w/ him. Needs his OK to go to the gym.", True),
    ('pt got "hammered" at the rugby club after the match last month - anecdote, no issue w/ alcohol', False),
])
def test_warning_signs_and_risks_in_other_words(text: str, current: bool) -> None:
    assert _current(text) is current, text


@pytest.mark.parametrize("text", [
    '- asked re safety: she said no thoughts of ending her life, "not going to do anything stupid"',
    "she won't do anything silly, she promised",
    'says "I would never do anything silly"',
])
def test_anything_silly_denied_in_the_same_words(text: str) -> None:
    r = read_text(text)
    assert r.risk.level is None and r.risk.assertion == "negated", (text, r.risk.level, r.risk.assertion)


@pytest.mark.parametrize("text,current", [
    # a partner or ex with a weapon at the client's door is aimed at the client, whichever the client's gender
    ("his ex keeps turning up at the house with a knife", True),
    ("her ex keeps turning up at the house with a knife", True),
    ("her brother turned up at the house with a knife", False),
    # fear of being alone with the partner
    ("she's terrified to be alone with her husband", True),
    ("her sister is scared to be alone with her husband", False),
])
def test_a_partners_threat_at_the_clients_door_and_fear_of_being_alone_with_him(text: str, current: bool) -> None:
    assert _current(text) is current, text


@pytest.mark.parametrize("text,current", [
    # "not since" a recent day says it happened then
    ("hasn't self-harmed since Tuesday", True),
    ("no SI since Monday", True),
    ("no suicidal thoughts since the weekend", True),
    # ... a year, a season or the last session denies the interval
    ("hasn't self-harmed since 2019", False),
    ("not self-harmed since the summer", False),
    ("no SH since last session", False),
    # courting death in an act
    ("keeps driving too fast on the motorway hoping to crash", True),
])
def test_not_since_a_recent_day_and_courting_death(text: str, current: bool) -> None:
    assert _current(text) is current, text


@pytest.mark.parametrize("text", [
    "his ex keeps turning up at the house with a knife",
    "her husband threatened her with a knife",
])
def test_a_partners_weapon_aimed_at_the_client_is_partner_violence(text: str) -> None:
    r = read_text(text)
    assert r.risk.level == "risk" and "ipv" in r.risk.kinds and "harm_to_others" not in r.risk.kinds, r.risk.kinds


@pytest.mark.parametrize("text,current", [
    # the latest event, dated, after a denial of something else is a statement of its own
    ("denies current SI, last attempt 3 wks ago (OD)", True),
    ("denies SI, last OD 3 weeks ago", True),
    ("denies SI, last self-harm on Friday", True),
    # ... not a contact dated, nor an event of long ago
    ("denies SI, last seen by GP 2 weeks ago", False),
    ("denies SI or SH, last SH 2019", False),
])
def test_the_latest_event_dated_after_a_denial(text: str, current: bool) -> None:
    assert _current(text) is current, text


@pytest.mark.parametrize("text,current", [
    # phrasings of my own after the round, not those the rules were written from
    ("reckons the grandkids are all that's kept her from going through with it", True),
    ("her job is all that keeps her sane", False),
    ("her 17 y/o daughter has been scratching her arms", False),
    ("pt, 17 y/o, has been scratching her arms", True),
])
def test_more_reasons_for_living_and_ages_written_y_slash_o(text: str, current: bool) -> None:
    assert _current(text) is current, text
