"""The notes eval (``ipt eval --suite factcheck``): graders read labels, the test split is frozen."""

from __future__ import annotations

import hashlib
import json
from pathlib import Path

import pytest

from assistant import Assistant
from assistant.evals import factcheck_suite as fs

BULLETS = "- s6/16 role dispute w/ husband (agreed)\n- comm analysis of the row about money\n- denies SI\n" \
          "- HW: ask husband for 20 min on Sunday\n"
FAITHFUL = ("## Data\nSession 6 of 16; the agreed focus is the role dispute with her husband. Communication analysis "
            "of the row about money.\n\n## Assessment\nShe denies suicidal ideation.\n\n## Plan\nHomework: ask her "
            "husband for 20 minutes on Sunday.\n")
PLANT = "She has been drinking heavily at weekends since the row."


def _write(root: Path) -> None:
    drafts = [
        {"id": "t-1", "format": "dap", "bullets": BULLETS, "draft": FAITHFUL, "label": "faithful", "plants": []},
        {"id": "t-2", "format": "dap", "bullets": BULLETS, "label": "planted",
         "draft": FAITHFUL.replace("## Assessment\n", f"## Assessment\n{PLANT} "),
         "plants": [{"text": PLANT, "kind": "substance"}]},
    ]
    sets = [{"id": "b-1", "bullets": BULLETS, "risk_status": "denied", "session_kind": "regular",
             "focal_status": "agreed", "focal_area": "role_dispute", "session": 6, "total_sessions": 16,
             "measures": [], "tasks": ["ask husband for 20 min on Sunday"],
             "interventions_done": ["comm analysis of the row"], "interventions_planned": []}]
    for split in fs.SPLITS:
        (root / split).mkdir(parents=True)
        (root / split / "drafts.jsonl").write_text("\n".join(json.dumps(d) for d in drafts) + "\n", encoding="utf-8")
        (root / split / "bullets.jsonl").write_text("\n".join(json.dumps(b) for b in sets) + "\n", encoding="utf-8")
    lines = [f"{hashlib.sha256((root / 'test' / n).read_bytes()).hexdigest()}  test/{n}"
             for n in ("drafts.jsonl", "bullets.jsonl")]
    (root / "test.sha256").write_text("\n".join(lines) + "\n", encoding="utf-8")


def test_graders_compare_with_labels(tmp_path: Path) -> None:
    _write(tmp_path)
    report = fs.run("dev", Assistant(offline=True), root=tmp_path, details=True)
    assert report["planted"] == 1 and report["faithful"] == 1
    assert report["planted_caught"] == 1.0
    assert report["faithful_kept"] == 1.0, report.get("misses")
    assert report["risk_status"] == 1.0 and report["session_kind"] == 1.0 and report["tasks"] == 1.0
    assert report["coverage"] == 1.0


def test_a_plant_left_in_the_note_is_a_miss(tmp_path: Path) -> None:
    _write(tmp_path)
    assert fs._present(PLANT, "## Data\n" + PLANT.replace(" ", "  ") + "\n")
    assert not fs._present(PLANT, "## Data\nSomething else.\n")


def test_the_grader_splits_bullets_its_own_way() -> None:
    parts = fs._parts("- s6/16, role dispute; argued Sunday\n- HW: call sister - before Fri\n")
    assert parts == ["s6/16", "role dispute", "argued Sunday", "call sister", "before Fri"]
    assert fs._covered("argued Sunday", "On Sunday they argued Sunday about money")
    assert not fs._covered("argued Sunday", "They spoke on Monday")


def test_a_changed_test_split_is_refused(tmp_path: Path) -> None:
    _write(tmp_path)
    path = tmp_path / "test" / "drafts.jsonl"
    path.write_text(path.read_text(encoding="utf-8") + "\n", encoding="utf-8")
    with pytest.raises(SystemExit, match="frozen test split changed"):
        fs.load("test", "drafts", tmp_path)


def test_the_shipped_test_split_is_the_frozen_one() -> None:
    for name in ("drafts", "bullets"):
        rows = fs.load("test", name)
        assert len(rows) >= 45
    drafts = fs.load("test", "drafts") + fs.load("dev", "drafts")
    assert sum(len(d["plants"]) for d in drafts if d["label"] == "planted") >= 150
    assert sum(d["label"] == "faithful" for d in drafts) >= 100
    for d in drafts:
        for p in d["plants"]:
            assert p["text"].strip(" -") in d["draft"], d["id"]
