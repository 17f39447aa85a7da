"""Faithful model drafts keep their sentences: paraphrases the bullets support are not flagged, and the
same checks still catch what the bullets do not support. Each pair below differs in one fact."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.claims import Grounding, stem_all
from assistant.notes.drafting import check_sections
from assistant.notes.factcheck import find_unsupported
from assistant.notes.parse import parse_bullets
from assistant.signals import analyse


def _flags(draft: str, bullets: str, **kw) -> list[str]:  # type: ignore[no-untyped-def]
    return [p.span for p in find_unsupported(draft, bullets, get_catalog(), **kw)]


NOT_ASKED = "- 9/16 role transition after the accident\n- explored the new job\n- no risk concerns reported; SI not asked"


@pytest.mark.parametrize("sentence", [
    "Suicidal ideation was not asked about.",
    "No risk concerns were reported; suicidal ideation was not asked about.",
    "Check suicidal ideation next session.",
    "Ask about her suicidal thoughts at the next session.",
])
def test_a_risk_not_asked_about_may_be_said_so_or_planned(sentence: str) -> None:
    assert _flags(sentence, NOT_ASKED) == []


@pytest.mark.parametrize("sentence", [
    "She denies suicidal ideation.",
    "She reports suicidal ideation; check it next session.",
    "Suicide risk is low.",
])
def test_a_risk_not_asked_about_is_still_never_denied_reported_or_graded(sentence: str) -> None:
    assert _flags(sentence, NOT_ASKED)


def test_the_passive_not_asked_about_reads_as_not_assessed_in_the_signal_layer() -> None:
    for text in ("SI was not asked about.", "I haven't asked about SI since intake", "self-harm wasn't enquired into",
                 "Suicidality was not explored this session."):
        risk = [s for s in analyse(text).items if s.family == "risk" and s.source == "lexicon"]
        assert risk and all(s.assertion == "not_assessed" for s in risk), text
    # estrangement, not an unasked question
    assert not [s for s in analyse("they haven't spoken for a year").items if s.assertion == "not_assessed"]


TENTATIVE = "- S2/12 assessment\n- husband died 3 yrs ago\n- likely focus grief - to agree next wk"


@pytest.mark.parametrize("sentence,flagged", [
    ("Agree the focal area next session and begin grief work if agreed.", False),
    ("Grief will be agreed as the focus next week.", False),
    ("Grief was agreed as the focal area.", True),
    ("We agreed on grief as the focus and will agree goals next week.", True),
])
def test_an_agreement_still_to_come_is_not_a_claim_of_one(sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, TENTATIVE, focal=("grief", "tentative"))) is flagged


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- 9/16 joint session w/ wife\n- each did CA of the Fri argument", "Each partner did a communication analysis.", False),
    ("- 13/16 grief\n- had coffee w/ partner's sister", "She had coffee with her partner's family.", False),
    ("- 15/16 honest talk with mum at Xmas", "She and her mum talked honestly at Christmas.", False),
    ("- GP informed; crisis team ref", "A referral was made to the crisis team.", False),
])
def test_a_relation_or_shorthand_may_be_named_by_its_kind(bullets: str, sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    assert bool(_flags(sentence, bullets, clauses=clauses)) is flagged


def test_a_relation_grounds_its_kind_one_way_only() -> None:
    wife = Grounding("- joint session w/ wife", ["joint session w/ wife"]).stems
    family = Grounding("- argued with family about money", ["argued with family about money"]).stems
    assert set(stem_all(["partner", "spouse", "marriage"])) <= wife
    assert not set(stem_all(["brother", "sister", "mother"])) & family


def test_a_denial_in_other_words_is_the_bullets_denial_and_another_denial_is_not() -> None:
    bullets = "- 2/12 intake\n- active SI last wk: researched methods online, no plan made"
    assert _flags("He has not made a plan.", bullets) == []
    assert _flags("He has no intent to act.", bullets)


def test_the_next_sessions_number_is_the_bullets_but_another_is_not() -> None:
    bullets = "- 14/16 role transition, retirement flat\n- goal: write down what she'll do if mood dips"
    facts = parse_bullets(bullets, get_catalog())
    for n, ok in ((15, True), (13, False), (17, False)):
        problems = check_sections({"Plan": f"Bring the written plan to session {n}."}, facts, bullets, get_catalog())
        assert (not problems) is ok, n


def test_a_denial_listing_several_screens_denies_each() -> None:
    facts = parse_bullets("- wk 3/16 grief\n- pt denies SI, SH\n- plan: continue, go slowly", get_catalog())
    assert facts.risk.status == "denied"


@pytest.mark.parametrize("text,category,assertion", [
    ("risk check-in at start: nobody reported SI or SH urges", "suicidal_ideation", "negated"),
    ("none of the members reported self-harm", "self_harm", "negated"),
    ("no one mentioned SI", "suicidal_ideation", "negated"),
    ("nobody knows she cuts herself", "self_harm", "present"),  # concealment, not a denial
    ("PHQ-9 item 9 = 2", "suicidal_ideation", "present"),
    ("no individual risk check today (time)", "risk_screen", "not_assessed"),  # not done, not negative
    ("risk: neg", "risk_screen", "negated"),  # a result after the screen is a negative screen
])
def test_who_denies_and_what_a_screen_says(text: str, category: str, assertion: str) -> None:
    found = {s.assertion for s in analyse(text).items if s.category == category and s.source == "lexicon"}
    assert found == {assertion}, (text, found)


@pytest.mark.parametrize("bullets,status", [
    ("- grp IPT s10/12\n- risk check-in at start: nobody reported SI or SH urges\n- HW: write down 1 thing", "denied"),
    ("- IPT-G, s2/12\n- no individual risk check today (time), to do 1:1 calls this wk", "not_assessed"),
])
def test_group_check_ins_and_screen_items_set_the_risk_status(bullets: str, status: str) -> None:
    assert parse_bullets(bullets, get_catalog()).risk.status == status


def test_a_labelled_plan_task_or_goal_line_is_one_item_kept_as_written() -> None:
    from assistant import Assistant

    bullets = ("- s12/16 role dispute w/ sister, agreed\n- CA of the phone call\n"
               "- plan: discuss w/ supervisor today; phone check tmrw\n- HW: text sister first, then call - keep it short\n"
               "- goal: one calm conversation, no shouting")
    note = Assistant(offline=True).draft_note(bullets, format="soap")
    low = note.text.lower()
    for item in ("discuss w/ supervisor today; phone check tmrw", "text sister first, then call - keep it short",
                 "one calm conversation, no shouting"):
        assert item in low, item
    assert "HW: text sister first, then call - keep it short" in note.facts.tasks


@pytest.mark.parametrize("bullets,area,status", [
    ("- s7/16 RD with ex-wife re contact arrangements\n- CA of the handover row", "role_dispute", "agreed"),
    ("- S10/16. RT - divorce\n- explored the new routine", "role_transition", "agreed"),
    ("- s9/16 ID, agreed\n- went to pottery class x2", "interpersonal_deficits", "agreed"),
    ("- s3/12 - tentative focus RT (new stepfamily)\n- inventory", "role_transition", "tentative"),
])
def test_the_focal_areas_shorthand_states_the_focus(bullets: str, area: str, status: str) -> None:
    facts = parse_bullets(bullets, get_catalog())
    assert (facts.focal_area, facts.focal_status) == (area, status)


def test_other_capitals_are_not_a_focal_area() -> None:
    facts = parse_bullets("- s5/16\n- brought photo ID for the benefits form\n- RTC last year, still driving", get_catalog())
    assert facts.focal_status != "agreed" or facts.focal_area != "interpersonal_deficits"


@pytest.mark.parametrize("bullets,status", [
    ("- s5/16 RD w/ sister\n- SI/HI/SH: none", "denied"),
    ("- s5/16 RD w/ sister\n- SI/HI/SH: denied", "denied"),
    ("- s5/16 RD w/ sister\n- pt denies SI/HI/SH", "denied"),
    ("- s5/16 RD w/ sister\n- reports SI/SH urges this wk", "present"),
    ("- s5/16 RD w/ sister\n- SI/HI: denied\n- passive SI last wk", "present"),
])
def test_screens_joined_by_slashes_are_one_list(bullets: str, status: str) -> None:
    assert parse_bullets(bullets, get_catalog()).risk.status == status


def test_each_screen_in_a_slashed_list_is_its_own_finding() -> None:
    found = {(s.category, s.assertion) for s in analyse("SI/HI/SH: none").items if s.source == "lexicon"}
    assert found == {("suicidal_ideation", "negated"), ("harm_to_others", "negated"), ("self_harm", "negated")}


@pytest.mark.parametrize("line,status", [
    # a screen's result after a dash stays with the screen
    ("SI (-)", "denied"),
    ("SI/HI - neg", "denied"),
    ("risk - nil", "denied"),
    ("SI/HI/SH - not asked", "not_assessed"),
    ("SI - passive, no plan", "present"),
    # a positive screen item is documented risk
    ("EPDS 18, q10 = 2", "present"),  # the EPDS's self-harm item, scored
    ("C-SSRS positive", "present"),
    ("ASQ screen: +ve", "present"),
    ("C-SSRS negative", "denied"),
    ("PHQ-9 19, item 9: 2", "present"),
])
def test_a_screen_line_sets_the_risk_status_by_its_result(line: str, status: str) -> None:
    facts = parse_bullets(f"- s6/16 RT, agreed\n- explored new job\n- {line}", get_catalog())
    assert facts.risk.status == status


# Found on a fresh writer's drafts (evals/factcheck/fresh2_read), 4 December 2026: each pair differs in one fact.
def test_a_possessive_names_whoever_the_bullets_name() -> None:
    bullets = "- s11/16 grief, best friend Miriam d. 8 mo\n- laughed re M's driving"
    assert _flags("She laughed about Miriam's driving.", bullets) == []
    assert _flags("She laughed about Hannah's driving.", bullets) == ["Hannah's"]


def test_a_contraction_copied_from_the_bullets_is_not_a_new_denial() -> None:
    bullets = "- s5/16 grief\n- passive SI \"wouldn't mind not waking up\", safety plan reviewed"
    assert _flags("She endorsed passive suicidal ideation, saying she \"wouldn't mind not waking up.\"", bullets) == []
    assert _flags("She endorsed passive suicidal ideation but wouldn't act on it.", bullets)


def test_a_first_person_fragment_may_be_quoted_as_a_sentence() -> None:
    bullets = "- s9/16 grief\n- \"don't know what to do with my days\""
    assert _flags("He said, \"I don't know what to do with my days.\"", bullets) == []
    assert _flags("He said, \"I don't know what to do with my nights.\"", bullets)


@pytest.mark.parametrize("line", ["SI not endorsed", "SH not disclosed", "HI not reported", "has not reported any SI"])
def test_a_finding_then_not_endorsed_is_a_denial(line: str) -> None:
    view = analyse(f"- s4/16 role transition\n- {line}", reader=False)
    risk = [s for s in view.items if s.family == "risk"]
    assert risk and all(s.assertion == "negated" for s in risk)


def test_not_endorsed_after_an_endorsed_finding_denies_only_its_own() -> None:
    view = analyse("- SI endorsed, plan not disclosed", reader=False)
    assert any(s.category == "suicidal_ideation" and s.assertion == "present" for s in view.items)


def test_a_severity_band_must_come_from_the_bullets() -> None:
    # A band is a rating in words: no meaning-level rescue ("the mild range" for a PHQ-9 of 14 is wrong, too).
    assert _flags("His PHQ-9 of 14 falls in the mild range.", "- s6/16 role dispute\n- PHQ-9 14")
    assert _flags("His PHQ-9 of 14 is in the moderate range.", "- s6/16 role dispute\n- PHQ-9 14 (mod)") == []
    assert _flags("His PHQ-9 of 14 is in the moderate range.", "- s6/16 role dispute\n- PHQ-9 14, moderate") == []


@pytest.mark.parametrize("bullets,ok", [
    ("- s5/16 grief\n- cleared dad's shed w brother at wknd", True),
    ("- s5/16 grief\n- cleared dad's shed w brother Sat", True),
    ("- s5/16 grief\n- cleared dad's shed w brother", False),
])
def test_a_period_of_the_week_or_year_must_come_from_the_bullets(bullets: str, ok: bool) -> None:
    assert (_flags("At the weekend she cleared her dad's shed with her brother.", bullets) == []) is ok


@pytest.mark.parametrize("bullets,ok", [
    ("- s7/16 role dispute w colleague\n- colleague txt'd an apology", True),
    ("- s7/16 role dispute w colleague\n- colleague apologised, rang her Tues", True),
    ("- s7/16 role dispute w colleague\n- colleague apologised", False),
])
def test_a_contact_by_a_channel_must_come_from_the_bullets(bullets: str, ok: bool) -> None:
    assert (not any(k == "contact" for k in _kinds("The colleague apologised to her by text.", bullets))) is ok


def _kinds(draft: str, bullets: str) -> list[str]:
    return [p.kind for p in find_unsupported(draft, bullets, get_catalog())]


@pytest.mark.parametrize("bullets,ok", [
    ("- s5/16 role dispute w sister\n- sister blocked her on social media 2 mo ago", True),
    ("- s5/16 role dispute w sister\n- sister blocked her on social media in Feb", True),
    ("- s5/16 role dispute w sister\n- sister blocked her on social media", False),
])
def test_a_time_relative_to_the_session_needs_its_unit_in_the_bullets(bullets: str, ok: bool) -> None:
    assert ("date" not in _kinds("Her sister blocked her on social media last month.", bullets)) is ok


def test_a_word_that_starts_like_a_month_is_not_a_month() -> None:
    bullets = "- s4/16 role dispute w wife re his mother moving in\n- argued Sat"
    assert "date" in _kinds("His mother plans to move in by the end of next month.", bullets)


def test_a_sentence_ends_inside_its_closing_quotation_mark() -> None:
    from assistant.notes.factcheck import Unsupported, remove_unsupported, split_sentences

    text = 'She called the weekend "hard but doable." She denied suicidal ideation. He said "enough!" Then he left.'
    assert split_sentences(text) == ['She called the weekend "hard but doable."', "She denied suicidal ideation.",
                                     'He said "enough!"', "Then he left."]
    # Removing the quoted sentence keeps the denial beside it.
    kept = remove_unsupported(text, [Unsupported("quote", "hard but doable", 'She called the weekend "hard but doable."')])
    assert "She denied suicidal ideation." in kept and "hard but doable" not in kept


@pytest.mark.parametrize("draft, bullets, flagged", [
    # A screen's result is a risk statement however the sentence is worded: a negative result the bullets do
    # not give is flagged, the one they give is not.
    ("The Columbia screen came back negative.", "- s5/16 grief\n- Columbia screen positive: passive wish to die, this month",
     True),
    ("Her ASQ was negative today.", "- s3/16 role dispute\n- ASQ + (thoughts of being better off dead)", True),
    ("The Columbia screen came back negative.", "- s5/16 grief\n- Columbia screen negative", False),
])
def test_a_named_screens_result_is_checked_against_the_bullets(draft: str, bullets: str, flagged: bool) -> None:
    assert bool(_flags(draft, bullets)) is flagged


RELATIVES_RISK = ("- 7/16 role dispute w husband\n- husband drinking most nights, rows; daughter (15) self-harming (cutting), "
                  "school + CAMHS aware\n- pt no SI, low mood\n- role play: asking husband to cut down\n"
                  "- sister's overdose 2021, none since")
PASSIVE_LESS = "- s12/16 grief\n- passive SI ongoing, about 2x/wk (was daily); no plan/intent\n- PHQ-9 13 (was 16)"


@pytest.mark.parametrize("sentence,flagged", [
    # a change the bullets do not state, in the bullets' own words, about someone's risk: an invention
    ("Her daughter is cutting less since the school became aware.", True),
    ("Her daughter has not cut since CAMHS became involved.", True),
    ("Her daughter is cutting less.", True),
    # the same facts as written, and a change the bullets do state, stand
    ("Her daughter is self-harming by cutting; the school and CAMHS are aware.", False),
    ("Her sister took an overdose in 2021, with none since.", False),
    ("Her husband is drinking most nights and they row.", False),
])
def test_a_change_in_someones_risk_needs_the_bullets_to_state_it(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(RELATIVES_RISK, get_catalog()).clauses]
    assert bool(_flags(sentence, RELATIVES_RISK, clauses=clauses)) is flagged


@pytest.mark.parametrize("sentence,flagged", [
    # an earlier state beside the current one is a change: it may be said to have lessened, not to have stopped
    ("Passive suicidal ideation continues, though less often than before.", False),
    ("Passive suicidal ideation has stopped.", True),
])
def test_an_earlier_state_in_the_bullets_is_a_change_of_unnamed_direction(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(PASSIVE_LESS, get_catalog()).clauses]
    assert bool(_flags(sentence, PASSIVE_LESS, clauses=clauses)) is flagged


def test_shorthand_for_a_relative_grounds_the_relative() -> None:
    bullets = ("- 7/16 role dispute\n- dtr (15) self-harming (cutting), school aware\n- nan moved into a care home\n"
               "- bro (19) cutting again, pt frightened for him")
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    draft = ("Her daughter is self-harming by cutting and the school is aware. Her grandmother moved into a care home. "
             "Her brother is cutting again and she is frightened for him.")
    assert _flags(draft, bullets, clauses=clauses) == []


STATIC_FACTS = ("- s9/16 role dispute w husband (money)\n- husband still out at the pub most evenings, rows about it\n"
                "- avoiding the office since the restructure, working from home\n- sleep poor, ~4h, wakes at 3\n"
                "- PHQ-9 12 (s4 17)\n- comm analysis of Sun row\n- HW: consider phoning her brother about Christmas\n"
                "- risk: denies SI")


@pytest.mark.parametrize("sentence,flagged", [
    # a change the bullets never state, in a fact they do state: an invention, whatever the fact is about
    ("Her husband has stopped going to the pub in the evenings.", True),
    ("Her husband is no longer at the pub most evenings.", True),
    ("She has gone back to the office since the restructure.", True),
    ("Her husband has started coming home in the evenings, and the rows are fewer.", True),
    ("Her sleep has lengthened, though she still wakes at 3.", True),
    ("She has already phoned her brother about Christmas.", True),
    # the facts as written, a change the bullets give (two scores), and a change hoped for, denied or planned
    ("Her husband is still out at the pub most evenings, and they row about it.", False),
    ("Her PHQ-9 has come down from 17 to 12.", False),
    ("She has not gone back to the office since the restructure.", False),
    ("Phoning her brother may help her feel less alone at Christmas.", False),
    ("She will consider phoning her brother about Christmas.", False),
])
def test_a_change_in_any_fact_needs_the_bullets_to_state_it(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(STATIC_FACTS, get_catalog()).clauses]
    problems = find_unsupported(sentence, STATIC_FACTS, get_catalog(), clauses=clauses)
    assert bool(problems) is flagged, [(p.kind, p.span) for p in problems]


def test_an_invented_change_is_reported_as_one() -> None:
    clauses = [c for c, _ in parse_bullets(STATIC_FACTS, get_catalog()).clauses]
    problems = find_unsupported("Her husband has stopped going to the pub in the evenings.", STATIC_FACTS, get_catalog(),
                                clauses=clauses)
    assert [(p.kind, p.span) for p in problems] == [("invented change", "stopped")]


BETTER_SLEEP = ("- s10/16 grief (dad d. last yr)\n- sleep better, ~6h, still wakes early\n- rows w mum about the house most wks\n"
                "- visited dad's grave on his birthday w sister\n- PHQ-9 11\n- risk: no SI")


@pytest.mark.parametrize("sentence,flagged", [
    # a word of change in other words than the bullets', borne out by the line the sentence retells
    ("Her sleep has improved to around six hours, though she still wakes early.", False),
    # "marked" as a verb is no intensity
    ("She marked her father's birthday at his grave with her sister.", False),
    # a change no retold line states
    ("Her relationship with her mother has improved.", True),
    ("The rows with her mother about the house have eased.", True),
    ("Her mood has markedly improved.", True),
])
def test_a_change_word_stands_on_the_line_it_retells(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(BETTER_SLEEP, get_catalog()).clauses]
    assert bool(_flags(sentence, BETTER_SLEEP, clauses=clauses)) is flagged


SELF_HARM_SINCE = ("- s7/16 role transition\n- disclosed she cut her thigh ~4 wks ago, first time since teens; healed; "
                   "no self-harm since. Denies SI.\n- PHQ-9 14")


@pytest.mark.parametrize("sentence,flagged", [
    ("The wound has healed and she reports no self-harm since.", False),
    ("Recent self-harm disclosed; no self-harm since, and suicidal ideation denied.", False),
    # a denial with no scope denies the self-harm the bullets document
    ("She reports no self-harm.", True),
])
def test_a_denial_since_the_documented_event_is_the_bullets_own(sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, SELF_HARM_SINCE)) is flagged


def test_a_reported_denial_is_the_bullets_own() -> None:
    bullets = ("- DNA today (s8/16), phoned\n- asked re safety: she said no thoughts of ending her life, "
               "\"not going to do anything stupid\"")
    assert _flags("Asked about safety, she said she has no thoughts of ending her life.", bullets) == []


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- passive SI - \"wouldnt mind not waking up\" - no plan", "She said she \"wouldn't mind not waking up.\"", False),
    ("- passive SI - \"wouldnt mind not waking up\" - no plan", "She said she \"wouldn't mind dying.\"", True),
    ("- misses her garden + neighbours on Elm Rd", "She misses her neighbours on Elm Road.", False),
    ("- misses her garden + neighbours on Elm Rd", "She misses her neighbours on Oak Road.", True),
])
def test_a_quote_or_a_place_in_shorthand_matches_its_spelled_out_form(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


def test_a_change_read_from_two_scores_written_with_vs() -> None:
    from assistant.notes.scales import directions

    assert directions("- reviewed progress: PHQ-9 8 today vs 21 at start") == {"down"}
    assert directions("- PHQ-9 14 vs 9 at assessment") == {"up"}


@pytest.mark.parametrize("bullets,sentence,flagged", [
    ("- s14/16 grief (mum d. last yr)\n- anniversary next wk", "The anniversary marks a significant milestone in her grief.", False),
    ("- s14/16 grief (mum d. last yr)\n- anniversary next wk", "She has made a significant improvement.", True),
    ("- s9/16 role dispute\n- shame++, tearful", "He showed marked shame and was tearful.", False),
    ("- s9/16 role dispute\n- tearful", "He showed marked shame and was tearful.", True),
    ("- s3/16 grief\n- PHQ-9 16", "Her scores indicate significant depressive symptoms.", False),
    ("- s3/16 grief\n- PHQ-9 6", "Her scores indicate significant depressive symptoms.", True),
])
def test_a_size_word_stands_for_a_weight_or_what_the_bullets_grade(bullets: str, sentence: str, flagged: bool) -> None:
    assert bool(_flags(sentence, bullets)) is flagged


@pytest.mark.parametrize("bullets,status,area", [
    ("- phone sess, IPT 11/16; focal: dispute w MIL re feeding\n- EPDS 8", "agreed", "role_dispute"),
    ("- s2/16 focal: ?grief vs transition - decide next wk", "tentative", "grief"),
])
def test_a_focus_labelled_focal_is_the_stated_focus(bullets: str, status: str, area: str) -> None:
    facts = parse_bullets(bullets, get_catalog())
    assert (facts.focal_status, facts.focal_area) == (status, area)


NO_SHOW = ("- NO SHOW for s8/16 - 2pm\n- called pt 2:15, no answer, left VM w/ callback + crisis line #\n"
           "- last session (s7) PHQ9 16, no SI at that time\n- will try again tmrw AM, if no contact by thurs send letter")


@pytest.mark.parametrize("sentence,flagged", [
    # a time written out, a day in shorthand, and the words a note uses for what it could not record
    ("Client did not attend the scheduled 2:00 p.m. appointment for session 8 of 16.", False),
    ("The therapist will try to reach the client again tomorrow.", False),
    ("No subjective report was obtained.", False),
    ("Current status, including risk, is unknown because no contact was made today.", False),
    # ... but not another time or another day
    ("Client did not attend the scheduled 3:00 p.m. appointment.", True),
    ("The therapist will try to reach the client again on Friday.", True),
])
def test_times_days_and_template_words_of_a_missed_session(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(NO_SHOW, get_catalog()).clauses]
    problems = find_unsupported(sentence, NO_SHOW, get_catalog(), clauses=clauses)
    assert bool(problems) is flagged, [(p.kind, p.span) for p in problems]


ITEM9 = "- s9/16 RT\n- PHQ-9 14, item 9 = 0\n- passive SI s3, none now"


@pytest.mark.parametrize("sentence,flagged", [
    # a scale item described in its own words, where the bullets give its score, is the scale's wording
    ("He scored 0 on PHQ-9 item 9, which asks about thoughts of being better off dead or of hurting himself.", False),
    # ... not a claim of the client's in the same words
    ("He said he would be better off dead.", True),
])
def test_a_scale_items_description_is_grounded_by_its_score(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(ITEM9, get_catalog()).clauses]
    problems = find_unsupported(sentence, ITEM9, get_catalog(), clauses=clauses)
    assert bool(problems) is flagged, [(p.kind, p.span) for p in problems]


UNDECIDED = ("- IPT S9/16 role transition (new city)\n- talked about maybe joining the running club - pt unsure, wants to think"
             " about it\n- PHQ-9 12")


@pytest.mark.parametrize("sentence,flagged", [
    # an idea the client is still weighing, written as a task set, is unsupported ...
    ("The client was asked to join the running club before the next session.", True),
    ("Homework: join the running club.", True),
    ("He agreed to join the running club this week.", True),
    ("He was set the task of joining the running club.", True),
    # ... written as what it is, it stands
    ("Joining the running club was discussed; he is unsure and will think about it.", False),
    ("He may consider joining the running club.", False),
])
def test_an_undecided_task_is_not_written_as_set(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(UNDECIDED, get_catalog()).clauses]
    assert bool(_flags(sentence, UNDECIDED, clauses=clauses)) is flagged


def test_a_task_set_in_another_line_supports_the_sentence() -> None:
    bullets = UNDECIDED + "\n- HW: go to one running club session"
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    assert _flags("The client was asked to go to a running club session before next week.", bullets, clauses=clauses) == []


@pytest.mark.parametrize("bullets,sentence,flagged", [
    # a scale's name spelled out before the bullets' acronym names no person ...
    ("- IPT-A S4\n- SMFQ 14 (prev 17)", "The Short Mood and Feelings Questionnaire (SMFQ) score was 14.", False),
    ("- S6 perinatal\n- EPDS 13", "The Edinburgh Postnatal Depression Scale (EPDS) score was 13.", False),
    # ... but a name that does not spell it, or an acronym the bullets lack, is still a name to check
    ("- S6 perinatal\n- EPDS 13", "Dr Hamilton's Rating Scale (HRS) score was 13.", True),
    # "provided" for "gave", "on this occasion" for "this time"
    ("- gave crisis line no.\n- RD w partner", "The therapist provided the crisis line number.", False),
    ("- denies hitting this time\n- RD w partner", "She denied hitting on this occasion.", False),
])
def test_plain_paraphrases_and_spelled_out_scales_stand(bullets: str, sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    assert bool(_flags(sentence, bullets, clauses=clauses)) is flagged


WARNING_AND_DENIAL = ("- S8 RD w brother\n- gave away her bike to a neighbour, 'won't need it'\n"
                      "- denies SI when asked directly, but flat\n- passive thoughts of death last month")


@pytest.mark.parametrize("sentence,flagged", [
    # the client's denial, reported as the bullets report it, stands beside the documented risk ...
    ("When asked directly, she denied suicidal ideation.", False),
    # ... an absence stated as fact, a grade or a settling does not
    ("There is no suicidal ideation.", True),
    ("She denied suicidal ideation and risk is low.", True),
    ("Her thoughts of death have settled.", True),
])
def test_a_reported_denial_stands_beside_documented_risk(sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(WARNING_AND_DENIAL, get_catalog()).clauses]
    assert bool(_flags(sentence, WARNING_AND_DENIAL, clauses=clauses)) is flagged



@pytest.mark.parametrize("bullets,sentence", [
    # a word for the same thing: "brief"/"short", "done"/"completed", "apols" written out
    ("- s9/16 RT\n- brief check-in by phone, pt at work\n", "The phone check-in was short because she was at work."),
    ("- s9/16 RT\n- EPDS not done - out of time\n", "The EPDS was not completed because time ran out."),
    ("- IPT-G s4/12, 6 attended (3 apols)\n- shared losses\n", "Six attended and three sent apologies."),
])
def test_a_word_for_the_same_thing_is_supported(bullets: str, sentence: str) -> None:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    assert Grounding(bullets, clauses).check([sentence])[0].ungrounded == ()
    assert _flags(sentence, bullets, clauses=clauses) == []


def test_a_word_for_the_same_thing_grounds_nothing_else() -> None:
    stems = Grounding("- brief check-in by phone; EPDS not done; 3 apols", []).stems
    assert set(stem_all(["short", "completed", "apologies"])) <= stems
    assert not set(stem_all(["tense", "abandoned", "absent", "landlord"])) & stems


@pytest.mark.parametrize("bullets,sentence,flagged", [
    # what the bullets say was not done, said in other words, is supported ...
    ("- s10/16 RT, phone only\n- no risk ax - brief call\n- PHQ-9 not done\n",
     "As the call was brief, no risk assessment was done and the PHQ-9 was not completed.", False),
    # ... what they say was done is not "not completed"
    ("- s10/16 RT\n- passive SI this wk, no plan\n- safety plan done, copy given\n",
     "The safety plan was not completed.", True),
])
def test_a_step_not_done_may_be_said_not_completed(bullets: str, sentence: str, flagged: bool) -> None:
    clauses = [c for c, _ in parse_bullets(bullets, get_catalog()).clauses]
    assert bool(_flags(sentence, bullets, clauses=clauses)) is flagged, _flags(sentence, bullets, clauses=clauses)
