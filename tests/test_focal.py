"""Focal-area inference from a clinician's question, with evidence; a given focus overrides."""

from __future__ import annotations

import pytest

from assistant.errors import InputError
from assistant.signals import infer_focal_area
from assistant.planning import normalise_focus

# -- inference, several phrasings per area -----------------------------------------------------

PHRASINGS = {
    "grief": [
        "Her mother died in March and she can't stop crying.",
        "She has been grieving her father, who passed away last year.",
        "He avoided his wife's funeral and now feels numb.",
        "Since the death of her son she has stopped going out.",
        "She visits the cemetery every day and talks to her late husband.",
        "She had a miscarriage in the spring and has been low ever since.",
    ],
    "role_dispute": [
        "She keeps fighting with her husband about chores.",
        "Constant arguments with her mother-in-law about the children.",
        "He is resentful toward his boss, who criticizes him in front of everyone.",
        "She and her sister are not speaking to each other after a falling out.",
        "Her partner gives her the silent treatment whenever she raises money.",
    ],
    "role_transition": [
        "She retired in January and feels useless.",
        "Since she had a baby she feels she has lost herself.",
        "He was laid off in May and has not left the house.",
        "She moved to a new country and knows nobody.",
        "Her youngest left for college and the house feels empty.",
        "She was diagnosed with cancer last autumn and cannot work.",
    ],
    "interpersonal_deficits": [
        "He has no friends and has always been alone.",
        "She finds it hard to make friends and has no close relationships.",
        "He is painfully shy and never dated.",
        "She has nobody to talk to and keeps to herself at work.",
    ],
}
CASES = [(area, text) for area, texts in PHRASINGS.items() for text in texts]


@pytest.mark.parametrize("area,text", CASES, ids=[f"{a}-{i}" for i, (a, _) in enumerate(CASES)])
def test_infers_each_area(catalog, area: str, text: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert inf.primary == area, (text, inf)


@pytest.mark.parametrize("area,text", CASES, ids=[f"{a}-{i}" for i, (a, _) in enumerate(CASES)])
def test_evidence_keeps_the_cues_found(catalog, area: str, text: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert inf.evidence, text
    top = inf.evidence[0]
    assert top.area == area
    assert top.score > 0 and top.cues
    for cue in top.cues:
        assert cue.lower() in text.lower(), (cue, text)


def test_evidence_quotes_the_matched_words(catalog) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area("She retired last spring and misses her colleagues.", catalog)
    assert inf.primary == "role_transition"
    cues = next(e.cues for e in inf.evidence if e.area == "role_transition")
    assert any("retired" in c for c in cues)  # the words of the question that carried the area


# -- grief is for deaths; other losses are transitions ----------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "She lost her job in March and feels worthless.",
        "Since the divorce she has been very low.",
        "He broke up with his girlfriend of ten years and moved out.",
    ],
)
def test_non_death_losses_are_transitions_not_grief(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert inf.primary == "role_transition", inf
    assert inf.primary != "grief"


# -- explicit naming wins ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,area",
    [
        ("We agreed the focus is role transition: she retired, and she and her husband argue about chores "
         "and keep fighting.", "role_transition"),
        ("I think the focus is grief, although she also argues with her sister.", "grief"),
        ("This looks like a role dispute; she moved to a new city for his job.", "role_dispute"),
        ("Interpersonal deficits seem the best fit even though she recently retired.", "interpersonal_deficits"),
        ("The agreed focus is grief. Lately she argues with her husband, fights with her sister, and there is "
         "tension with her boss and her mother-in-law.", "grief"),
    ],
)
def test_naming_the_area_outright_wins(catalog, text: str, area: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert inf.primary == area, inf


# -- a given focus overrides -------------------------------------------------------------------


@pytest.mark.parametrize(
    "value,expected",
    [
        ("grief", "grief"), ("role dispute", "role_dispute"), ("role-dispute", "role_dispute"),
        ("dispute", "role_dispute"), ("Role_Transition", "role_transition"), ("transition", "role_transition"),
        ("deficits", "interpersonal_deficits"), ("interpersonal sensitivity", "interpersonal_deficits"),
        ("bereavement", "grief"), (None, None),
    ],
)
def test_normalise_focus(value: str | None, expected: str | None) -> None:
    assert normalise_focus(value) == expected


@pytest.mark.parametrize("value", ["nonsense", "anxiety", "", "   ", "role"])
def test_unknown_focus_raises_input_error(value: str) -> None:
    with pytest.raises(InputError):
        normalise_focus(value)


def test_given_focus_overrides_inference(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 5: she keeps fighting with her husband about chores.", focal_area="grief")
    assert ans.focal_area == "grief"
    assert ans.focal_area_source == "given"
    assert not ans.has_flag("focal_area_unknown")
    assert any(c.id == "grief" and c.kind == "focal_area" for c in ans.citations)


def test_inferred_focus_is_marked_inferred_with_evidence(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 5: she keeps fighting with her husband about chores.")
    assert ans.focal_area == "role_dispute"
    assert ans.focal_area_source == "inferred"
    assert ans.focal_evidence and ans.focal_evidence[0].area == "role_dispute"
    assert "inferred from" in ans.answer


def test_unknown_focus_string_is_rejected_by_ask(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    with pytest.raises(InputError, match="nonsense"):
        assistant_offline.ask("Session 5: she keeps fighting with her husband.", focal_area="nonsense")


# -- ties: deficits only when nothing else fits ------------------------------------------------


@pytest.mark.parametrize(
    "text,expected",
    [
        ("She is lonely after the divorce.", "role_transition"),
        ("She has been isolated since the funeral.", "grief"),
        ("She feels lonely and keeps arguing with her sister.", "role_dispute"),
    ],
)
def test_tie_prefers_any_area_over_deficits(catalog, text: str, expected: str) -> None:  # type: ignore[no-untyped-def]
    # Loneliness alongside a death, a change or a conflict: the other area is the focus, not deficits.
    inf = infer_focal_area(text, catalog)
    assert inf.primary == expected, inf.evidence


def test_deficits_when_nothing_else_fits(catalog) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area("She is lonely and isolated and has few friends.", catalog)
    assert inf.primary == "interpersonal_deficits"
    assert inf.secondary is None


# -- secondary area ----------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text,primary,secondary",
    [
        ("She lost her job and fights with her husband about money.", "role_dispute", "role_transition"),
        ("Since she retired she and her husband argue all the time.", "role_dispute", "role_transition"),
    ],
)
def test_secondary_area_for_two_area_questions(catalog, text: str, primary: str, secondary: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert {inf.primary, inf.secondary} == {primary, secondary}, inf
    areas = [e.area for e in inf.evidence]
    assert areas[0] == inf.primary  # primary's evidence first


def test_secondary_reported_in_the_answer(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 5: she lost her job and fights with her husband about money.")
    assert ans.focal_area in {"role_dispute", "role_transition"}
    assert ans.secondary_focal_area in {"role_dispute", "role_transition"}
    assert ans.secondary_focal_area != ans.focal_area
    assert "secondary:" in ans.answer


@pytest.mark.parametrize(
    "text,area",
    [
        ("Since the death of her husband she has stopped seeing friends.", "grief"),
        ("Her husband died in June and she cannot sleep.", "grief"),
        ("Since she had a baby with her husband she feels she has lost herself.", "role_transition"),
    ],
)
def test_mentioning_a_spouse_is_not_a_dispute(catalog, text: str, area: str) -> None:  # type: ignore[no-untyped-def]
    # A husband named as the person who died, or as the co-parent, is no evidence of a role dispute:
    # reporting role dispute as a second area here would push the clinician towards two foci.
    inf = infer_focal_area(text, catalog)
    assert inf.primary == area
    assert inf.secondary != "role_dispute", inf


# -- no area -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    ["She feels sad and tired all the time.", "What should I do in the first session?", "Low mood, poor sleep."],
)
def test_no_area_is_none(catalog, text: str) -> None:  # type: ignore[no-untyped-def]
    inf = infer_focal_area(text, catalog)
    assert inf.primary is None and inf.secondary is None and inf.evidence == []


def test_no_area_in_an_answer_is_flagged(assistant_offline) -> None:  # type: ignore[no-untyped-def]
    ans = assistant_offline.ask("Session 2: she feels sad and tired all the time. What next?")
    assert ans.focal_area is None
    assert ans.focal_area_source is None
    assert ans.has_flag("focal_area_unknown")
    # In the initial phase with no area yet, IPT does the interpersonal inventory first.
    assert ans.techniques[0] == "interpersonal_inventory"


@pytest.mark.parametrize("text", [
    "Since her cousin's suicide at Easter she can't concentrate at work and keeps going over their last call.",
    "16yo, struggling since Dad's sudden suicide; school say he's withdrawn.",
])
def test_someones_suicide_is_a_death_that_cues_grief(text: str) -> None:
    from assistant.signals import analyse, infer_focal_area

    assert any(s.category == "completed_suicide" for s in analyse(text).items)
    assert infer_focal_area(text).primary == "grief"


@pytest.mark.parametrize("text", [
    "Her suicide attempt last year was by overdose.",
    "My client's suicide risk feels higher this week.",
])
def test_a_suicide_attempt_or_risk_is_not_a_death(text: str) -> None:
    from assistant.signals import analyse

    assert not any(s.category == "completed_suicide" for s in analyse(text).items)


@pytest.mark.parametrize("text", [
    "Her grandad 'slipped away' in the night last month and she was the one who found him.",
    "Wife 'went' very suddenly in August. Can't talk about her at all.",
    "Her nan's no longer with us - March.",
    "scattered her mum's ashes at the beach on sat, cried for hrs",
])
def test_a_death_in_the_words_families_use_points_to_grief(text: str) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert predict(text, get_catalog()).focal_area == "grief"


def test_a_person_who_went_somewhere_is_no_death() -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert predict("Her best friend went to Australia in the summer and she misses her.", get_catalog()).focal_area != "grief"


@pytest.mark.parametrize("text,area", [
    # a verb's negation in a clause is often the area itself, not its denial ...
    ("No SI; but she's been really tearful about retiring and says she doesn't know who she is anymore.", "role_transition"),
    ("Pt can't recall ever having a close friendship", "interpersonal_deficits"),
    ("He won't let her have her own bank card and checks her receipts every night.", "role_dispute"),
    # ... while "no" still denies one
    ("no relationship changes she can identify", None),
])
def test_a_negated_verb_does_not_deny_a_focal_area(text: str, area: str | None) -> None:
    from assistant.catalog import get_catalog
    from assistant.evals.signal_suite import predict

    assert predict(text, get_catalog()).focal_area == area, text


def test_a_faint_second_area_beside_a_named_focus_is_not_named() -> None:
    # (role dispute read 0.52 in the last sentence, below its threshold: it had been named as the secondary area)
    r = infer_focal_area("Session 7, grief focus. Denies SI. She still can't look at photos of her mother. What next?")
    assert (r.primary, r.secondary) == ("grief", None)
    # ... a second area with its own reading still is
    r = infer_focal_area("Her husband died in May and since then she and her sister have been fighting constantly over the will.")
    assert (r.primary, r.secondary) == ("grief", "role_dispute")
