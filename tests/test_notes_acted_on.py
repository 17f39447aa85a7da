"""A described risk that the clinician acted on is documented risk: an escalation, a safety plan drawn
up or means removed is the clinician's own judgement that risk is present."""

from __future__ import annotations

import pytest

from assistant.catalog import get_catalog
from assistant.notes.parse import parse_bullets
from assistant.notes.risk import acted_on


@pytest.mark.parametrize("clause", [
    "MARAC referral made today w/ consent",
    "IDVA number given",
    "referred to the crisis team for same-day assessment",
    "discussed duty to warn; informed the police",
    "safety planning done",
    "agreed to hand over the tablets to his wife",
    "safeguarding referral sent to children's services",
    "escalated to the clinical lead today",
    "gave the spare tablets to his sister to keep",
    "removed the pills from the house",
    "spoke w/ co-facilitator; J's care coord to be informed today",
    "urgent CMHT referral made",
    "informed the duty worker",
])
def test_escalations_and_means_removal_count(clause: str) -> None:
    assert acted_on([clause])


@pytest.mark.parametrize("clause", [
    "no MARAC referral needed",
    "safety plan reviewed",  # routine review, not drawn up for a new risk
    "if things get worse, will refer to the crisis team",
    "supervisor consulted re how to proceed",
    "gave her a leaflet on sleep hygiene",
    "crisis line number given",
    "urgent GP appt booked for her back pain",
    "GP gave her new meds (sertraline 50mg)",
    "no urgent referral needed",
    "care coordinator not informed yet - will discuss in supervision first",
])
def test_routine_hypothetical_and_negated_forms_do_not(clause: str) -> None:
    assert not acted_on([clause])


def _status(bullets: str) -> str:
    return parse_bullets(bullets, get_catalog()).risk.status


def test_a_described_assault_acted_on_is_present_and_the_plan_line_stays_in_the_plan() -> None:
    base = "- s4/16 role dispute w/ partner\n- he shoved her into the door frame on Friday, bruised shoulder\n"
    acted = base + "- IDVA referral made w/ consent\n- plan: f/u Thurs\n"
    facts = parse_bullets(acted, get_catalog())
    assert facts.risk.status == "present"
    assert ("plan: f/u Thurs", "risk") not in facts.clauses
    assert _status(base) in ("possible", "present")  # read by meaning alone: at least "ask directly"


def test_a_hedged_finding_stays_possible_whatever_was_done() -> None:
    assert _status("- s6/16 grief\n- ?passive SI, hard to tell\n- referred to the crisis team\n") == "possible"


def test_passive_ideation_with_no_plan_is_present_not_denied() -> None:
    bullets = ("- sess 5/16 grief\n- low, tearful. wishes she wouldn't wake up most mornings, no plan or intent\n"
               "- safety plan reviewed\n")
    assert _status(bullets) == "present"
    assert _status("- s5/16 grief\n- didn't wake up until noon most days, no plan for the week\n") != "present"


@pytest.mark.parametrize("line", [
    "goes to bed hoping she won't wake up, denies plan",
    "says he wouldn't mind if he never woke up, no intent",
    "'I'd rather just sleep and not wake up' - no plan/intent",
])
def test_other_forms_of_not_wanting_to_wake_up_are_passive_ideation(line: str) -> None:
    assert _status(f"- s3/16 grief\n- {line}\n") == "present"


def test_waking_someone_else_is_not_ideation() -> None:
    assert _status("- s3/16 RT\n- hopes the baby won't wake up before 6 so she can shower\n") == "not_documented"
