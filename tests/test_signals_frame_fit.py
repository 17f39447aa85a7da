"""Out-of-frame methods, adaptations and stabilise-first presentations in forms found in text by writers who
had not read the rules (the seventeenth round's read halves): pairs that differ in the one thing that decides
the reading. My own phrasings, not the sets' snippets."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.signals import read_text
from assistant.signals.ages import life_stages, settle


@pytest.fixture(scope="module")
def catalog():
    return get_catalog()


def _frame(text: str, catalog) -> list[str]:
    return read_text(text, catalog=catalog).request.out_of_frame


def _adaptations(text: str, catalog) -> list[str]:
    return read_text(text, catalog=catalog).request.adaptations


@pytest.mark.parametrize("text,method", [
    # a method recorded as done or agreed in this therapy is out of frame, as a request is
    ("- did chair work: he spoke to 'Dad' in the empty chair about the funeral", "empty_chair"),
    ("worked on reframing his belief 'I ruin everything' into a more balanced thought", "cognitive_restructuring"),
    ("- tried bilateral stimulation while she pictured the car crash", "emdr"),
    ("- guided a 20 min body scan in session, to open each session from now on", "mindfulness_training"),
])
def test_a_method_recorded_as_done_counts(text: str, method: str, catalog) -> None:
    assert method in _frame(text, catalog)


@pytest.mark.parametrize("text", [
    # ... but a therapy done before, elsewhere, is history
    "did CBT at college - 'the thought records were fine but nothing changed'",
    "did two years of schema therapy privately, says it explained a lot",
    "prev therapist did chair work with her, she hated it",
])
def test_a_past_course_of_another_therapy_is_not_this_therapys_method(text: str, catalog) -> None:
    assert _frame(text, catalog) == []


@pytest.mark.parametrize("text,method", [
    ("Should I ask him to write down the 'hot' thought after each row, with how strongly he believes it?", "thought_records"),
    ("- HW: note each time the 'I'm a burden' thought comes, w/ % belief", "thought_records"),
    ("next session: spot her thinking errors (catastrophising, mind-reading) about the new job", "cognitive_restructuring"),
    ("Could I help him find a more helpful thought than 'I'll be alone forever'?", "cognitive_restructuring"),
    ("- agreed a graded return to the gym: car park this wk, reception next, then a class", "exposure"),
    ("Is it ok to build up from photos to a real lift with her within our contract?", "exposure"),
    ("Would it help to go through his upbringing in detail to find where this started?", "childhood_exploration"),
    ("Can I let her ramble freely and see what comes up about her marriage?", "free_association"),
    ("- plan: left-right tapping while she holds the memory of the funeral", "emdr"),
    ("Would it be ok to practise upbeat self-statements with her before the tribunal?", "positive_thinking"),
])
def test_a_method_described_in_plain_words(text: str, method: str, catalog) -> None:
    assert method in _frame(text, catalog)


@pytest.mark.parametrize("text", [
    "Is it ok to help her remember the good times with her late mum as well as the hard ones, for a balanced picture?",
    "Role play: rehearsed how she'll ask her sister for help with the kids",
    "- linked the low mood this week to the row with her husband",
])
def test_ipt_work_that_sounds_alike_is_in_frame(text: str, catalog) -> None:
    assert _frame(text, catalog) == []


def test_a_negation_inside_a_quoted_statement_stays_there(catalog) -> None:
    # "never" belongs to the client's words; the clinician's question proposes restructuring
    text = "When she says 'I'll never be a good mum', should I be disputing that belief with her?"
    assert "cognitive_restructuring" in _frame(text, catalog)
    # a quoted one-word answer still answers the screen beside it
    assert read_text("asked about SI - 'no' - and SH denied").risk.level is None


@pytest.mark.parametrize("text,adaptation,whose", [
    ("Recently turned 70, moved into a flat near her son", "late_life", "client"),
    ("her dad turned 80 in May and she organised the party", "late_life", "other"),
    ("81, widowed in March, lives alone", "late_life", "client"),
    ("Fifteen. Hates school since the move", "ipt_a", "client"),
    ("My older client (77, widowed last year) keeps saying she's 'done'", "late_life", "client"),
    ("Mr K, 64, pushed into early retirement", "late_life", "client"),
    ("retired nurse, 66, misses the ward", "late_life", "client"),
    ("recently retired (62), at a loose end", "late_life", "client"),
    ("Woman of 68, recently divorced", "late_life", "client"),
    ("her nan, 92, has moved in with them", "late_life", "other"),
])
def test_an_age_written_as_notes_write_it(text: str, adaptation: str, whose: str) -> None:
    stages = [s for s in life_stages(text) if s.adaptation == adaptation]
    assert stages and stages[0].whose == whose


@pytest.mark.parametrize("text", ["PHQ-9 17, GAD-7 12.", "EPDS (14) today", "sessions 10, 11, 12.", "PHQ, 12, mild"])
def test_a_score_is_not_an_age(text: str) -> None:
    assert settle(life_stages(text)) == ([], frozenset())


@pytest.mark.parametrize("text,adaptation", [
    # a text about a teenager, a school or a retirement is not about a teenage or an older client...
    ("The school rang her again about her son's attendance; she's furious with his dad", None),
    ("Parents' evening at her daughter's school went badly and they rowed in the car", None),
    ("Everyone at her church is older and she feels out of place", None),
    # ... an age, a life-stage word or a programme's name is
    ("She's an IPT-A client and her stepdad shouts at her most nights", "ipt_a"),
    ("Retired headteacher, 72, says depression is 'for weak people'", "late_life"),
])
def test_the_age_based_adaptations_need_an_age_or_a_stage_word(text: str, adaptation: str | None, catalog) -> None:
    got = [a for a in _adaptations(text, catalog) if a in ("ipt_a", "late_life")]
    assert got == ([adaptation] if adaptation else [])


@pytest.mark.parametrize("text,presentation", [
    ("'Had a manic week at work' - quarter end, home late every night", None),
    ("a 'psychotic' day at the office, her word - three deadlines", None),
    ("manic, hasn't slept in three days, spending heavily", "mania"),
    ("psychotic depression: hears a voice telling her she's evil", "psychosis"),
])
def test_a_busy_stretch_of_time_called_manic_is_not_mania(text: str, presentation: str | None, catalog) -> None:
    got = [c for c in read_text(text, catalog=catalog).stabilise_first if c in ("mania", "psychosis")]
    assert got == ([presentation] if presentation else [])


@pytest.mark.parametrize("text,without_trigger", [
    ("Terror of being sick - won't eat out, panics if anyone coughs. No relationship link she can see.", True),
    ("Fearful of flying since childhood; job needs travel; relationships otherwise fine", True),
    ("Checks the hob is off again and again before leaving, up to an hour; no interpersonal theme", True),
    ("Her panic attacks started the week her partner moved out", False),
    ("no fear of flying, travels for work happily", False),
])
def test_a_phobia_or_an_obsession_in_plain_words(text: str, without_trigger: bool, catalog) -> None:
    got = "anxiety_without_interpersonal_trigger" in read_text(text, catalog=catalog).stabilise_first
    assert got is without_trigger


@pytest.mark.parametrize("text,psychosis", [
    # voices placed in the world are people's
    ("Upstairs neighbours again - 'hearing voices through the ceiling all night', she's shattered", False),
    ("'hearing things on the grapevine' about her ex's new partner", False),
    ("hears voices in her head telling her she's worthless", True),
])
def test_voices_placed_in_the_world_are_peoples(text: str, psychosis: bool) -> None:
    found = any(s.category == "psychosis" and s.source == "lexicon" and s.present for s in read_text(text).signals.items)
    assert found is psychosis


@pytest.mark.parametrize("text,dependent", [
    ("Drinks every morning to steady the shakes, half a bottle of vodka by lunch", True),
    ("using ketamine every day since the summer, says she can't stop", True),
    ("Had withdrawal fits last time he stopped drinking", True),
    ("never drinks in the morning, and has never had withdrawal symptoms", False),
])
def test_dependence_by_its_signs(text: str, dependent: bool) -> None:
    found = any(s.category == "severe_substance_dependence" and s.source == "lexicon" and s.present
                for s in read_text(text).signals.items)
    assert found is dependent


def test_open_conflict_said_as_war_names_a_dispute(catalog) -> None:
    focal = read_text("She's moved in with her new partner and his two teenagers and it's been war since day one. Focus?",
                      catalog=catalog).focal
    assert "role_dispute" in (focal.primary, focal.secondary)


@pytest.mark.parametrize("text,area", [
    ("Comfort eating worse since the separation; 'the fridge is my only friend now'", "role_transition"),
    ("Low since the break-up in March, eating on her own every night", "role_transition"),
    ("Drinking more since they split up; the flat feels empty", "role_transition"),
    ("at loggerheads with her sister over their mum's care", "role_dispute"),
    ("When he goes on about the layoff can I just keep steering him to think positive?", "role_transition"),
    ("She's had the same dream of the old house flooding every night since the move", "role_transition"),
])
def test_focal_area_from_ordinary_words(text: str, area: str, catalog) -> None:
    assert read_text(text, catalog=catalog).focal.primary == area


@pytest.mark.parametrize("text,adaptation,present", [
    # a relation's pregnancy or baby is not the client's perinatal period
    ("My client's sister is pregnant after my client's years of trying; they've stopped speaking", "perinatal", False),
    ("Sister had a baby 2 wks ago; pt (38, no children) feels pushed out", "perinatal", False),
    ("the baby is 3 months and she's not sleeping", "perinatal", True),
    # "pt 17 smokes ..." is an age; "pt 12 sessions in" is not
    ("pt 17 smokes weed every day and thinks the police are watching her", "ipt_a", True),
])
def test_whose_perinatal_period_or_age(text: str, adaptation: str, present: bool, catalog) -> None:
    stages = [s for s in settle(life_stages(text))[0] if s.adaptation == adaptation and s.whose == "client"]
    assert bool(stages) is present


def test_a_nightmare_of_a_week_is_a_bad_week(catalog) -> None:
    assert _frame("She says she had a nightmare of a week at work - should I explore that?", catalog) == []
    assert "dream_interpretation" in _frame("Should I explore what her recurring nightmare about the flood means?", catalog)


@pytest.mark.parametrize("text,method", [
    ("- BA schedule set: three small activities a day, rate mastery and pleasure", "behavioural_activation_schedule"),
    ("- plan: timetable small activities for the mornings, tick them off", "behavioural_activation_schedule"),
    ("- HW: ABC sheets for the visits to her in-laws", "thought_records"),
    ("next wk: challenge the catastrophising about her son's exams", "cognitive_restructuring"),
    ("build a ladder with him: sit in the car, then drive round the block, rating anxiety each step", "exposure"),
    ("- plan: touch the door handle and hold off washing for 20 min", "exposure"),
    ("- map the vulnerable child and punitive parent modes next session", "schema_work"),
    ("Should I name that she treats me like her mother and work with what's happening between us?", "transference_interpretation"),
    ("- let pt free associate for the last 15 minutes", "free_association"),
    ("- EMDR for the memory of the crash proposed for next block", "emdr"),
])
def test_more_methods_in_clinicians_words(text: str, method: str, catalog) -> None:
    assert method in _frame(text, catalog)


def test_a_dispute_cue_word_alone_gives_the_area(catalog) -> None:
    # a cue word clears every area's threshold, the dispute's included
    assert read_text("The low mood is mostly about the fights with her boyfriend.", catalog=catalog).focal.primary \
        == "role_dispute"


@pytest.mark.parametrize("text,psychosis", [
    ("hears a voice commenting on everything she does", True),
    ("thinks her thoughts are being taken out of her head at night", True),
    ("says strangers can read her thoughts on the bus", True),
    ("she put her thoughts into words in a letter to her mum", False),
])
def test_first_rank_experiences_in_plain_words(text: str, psychosis: bool) -> None:
    found = any(s.category == "psychosis" and s.source == "lexicon" and s.present for s in read_text(text).signals.items)
    assert found is psychosis


@pytest.mark.parametrize("text,method", [
    # "negative" before the noun it describes is an adjective, not a negative result
    ("- encouraged him to swap his negative self-talk for daily positive affirmations", "positive_thinking"),
    ("She's negative about everything since the move. Can I get her to list three good things each evening?",
     "positive_thinking"),
    # medspaCy's "free" ("pain free") negates nothing in free association
    ("- next sess: on the couch, free-associate about his brother", "free_association"),
    # a method being worked on, or a session spent on it, is recorded as done
    ("working on her abandonment schema and the modes that go with it", "schema_work"),
    ("we spent most of the session working out what her dream of the flood symbolised", "dream_interpretation"),
])
def test_adjectives_and_participles_do_not_hide_a_method(text: str, method: str, catalog) -> None:
    assert method in _frame(text, catalog)


@pytest.mark.parametrize("text,neg", [
    ("C-SSRS negative", True),  # a result: still a denial
    ("SI screen: negative", True),
])
def test_negative_as_a_result_still_denies(text: str, neg: bool) -> None:
    assert read_text(text).risk.is_risk is not neg


@pytest.mark.parametrize("text,named,echo", [
    # in a clause that names a method outright, another read by meaning alone is its echo, not a second request
    ("Could I teach her to replace the negative thoughts with positive affirmations?", "positive_thinking",
     "thought_records"),
    ("plan: try EMDR sets next session for the images of the crash", "emdr", "exposure"),
])
def test_a_named_method_is_not_echoed_by_meaning(text: str, named: str, echo: str, catalog) -> None:
    found = _frame(text, catalog)
    assert named in found and echo not in found, found


@pytest.mark.parametrize("text,adaptation,found", [
    # a score on the Edinburgh Postnatal Depression Scale places the client in the perinatal period
    ("EPDS 14 today (was 11 at booking)", "perinatal", True),
    ("Edinburgh Postnatal Depression Scale total 12", "perinatal", True),
    # bipolar affective disorder as notes shorten it
    ("BPAD II, euthymic since the spring; dispute with her mother", "ipsrt", True),
    # not the letters inside another word, nor someone else's scale
    ("she's at the bpadel club on Thursdays", "ipsrt", False),
])
def test_adaptation_shorthand(text: str, adaptation: str, found: bool, catalog) -> None:
    assert (adaptation in _adaptations(text, catalog)) is found, text


@pytest.mark.parametrize("text, methods", [
    ("My supervisor advised against mood diaries, so we're linking her low days to the rows with her sister.", []),
    ("We decided against exposure work and are staying with the role dispute.", []),
    ("Should I get him to keep a daily diary of his thoughts and what triggers them?", ["thought_records"]),
])
def test_a_method_advised_or_decided_against_is_set_aside(text: str, methods: list[str], catalog) -> None:
    assert _frame(text, catalog) == methods


def test_deciding_against_something_denies_no_risk() -> None:
    assert read_text("She decided against telling anyone about the overdose on Saturday.").risk.is_risk


@pytest.mark.parametrize("text,method", [
    # a method in plain words, each beside a look-alike that asks for nothing outside the frame
    ("Supervisor wants her to go back into the shopping centre she's been avoiding, a little further each time.", "exposure"),
    ("She's been avoiding her sister since the row; we agreed she'd text her once this week.", None),
    ("My colleague says I should just let him talk and see where it leads. Is that OK in IPT?", "free_association"),
    ("She's dating him again and says she'll see where it goes.", None),
    ("Could I teach her the 'catch it, check it, change it' steps from CBT?", "cognitive_restructuring"),
    ("My supervisor wants me to ask what she's been dreaming about and work with the symbols.", "dream_interpretation"),
    ("She mentioned she's been dreaming about her late mum; I brought it back to her sister.", None),
])
def test_a_method_in_plain_words_beside_a_look_alike(text: str, method: str | None, catalog) -> None:
    got = _frame(text, catalog)
    assert (method in got) if method else got == []


def test_a_method_the_client_asks_for_and_the_clinician_declines(catalog) -> None:
    assert _frame("He wants me to tell him to 'think positive'. How do I gently decline?", catalog) == []
    assert "positive_thinking" in _frame("He wants me to tell him to 'think positive'. Should I?", catalog)


@pytest.mark.parametrize("text,methods", [
    # methods described in plain words, without their names
    ("Plan for wk 3: get her to jot down whatever goes thru her head when the low hits, then next sess we weigh up what "
     "supports it and what doesn't", {"thought_records", "cognitive_restructuring"}),
    ("wk 4 - fill every afternoon w/ something he used to enjoy (walk, guitar, fishing), planned in advance + tick off",
     {"behavioural_activation_schedule"}),
    ("get him saying 'I am enough' to himself in the mirror every morning before work", {"positive_thinking"}),
    ("Give her a sheet to note each time the guilt kicks in - what happened, what she said to herself, how strong 0-10",
     {"thought_records"}),
    # a method is not set aside by "was a" in "since he was a kid"
    ("I'd like to use some exposure and response prevention for his checking - it's been there since he was a kid. "
     "Does that fit in IPT?", {"exposure"}),
    # ... and the same words about something else
    ("he writes down what goes through his head when he plays guitar - songwriting", set()),
    ("she stood in front of the mirror and cried", set()),
    ("thought records are not part of IPT, so we tracked interactions with her mum instead", set()),
])
def test_methods_in_plain_words(text: str, methods: set[str]) -> None:
    assert set(_frame(text, get_catalog())) == methods, text
