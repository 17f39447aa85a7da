"""The notes eval of issue 9: the fact check on model drafts, and the parser and renderer on labelled
bullet sets. ``ipt eval --suite factcheck`` reports dev and test side by side.

Data: ``evals/factcheck/{dev,test}/drafts.jsonl`` and ``bullets.jsonl`` (see ``evals/factcheck/LABELS.md``),
written by two clinician-writers who did not see the product's code. The test split is frozen: its
sha256 is in ``evals/factcheck/test.sha256`` and the suite refuses to report on a changed file.

Every measure compares the product's output with the labels, never with the product's own checker:

* **planted caught**: each planted sentence is absent from the note the product returns for the draft
  (removed, or the draft replaced by the offline note); by kind, and for the risk kinds;
* **faithful kept**: a faithful draft comes back as the model's draft (not replaced) with nothing removed;
  with how many faithful drafts were replaced whole by the offline note, and the false flags per faithful draft;
* on the bullet sets: risk status, session kind, focal status and area, session number, each exactly as
  labelled; measures, tasks and interventions kept verbatim in the offline note; interventions done vs
  planned; **coverage**: every part of every bullet is in the note (the grader's own splitting: at
  semicolons, full stops and commas; a part counts when it is in the note as written, or when every word
  and number of it is);
* timings: offline note p50; fact check p50 per draft, from the model's reply to the checked note (the
  bullets are parsed before the model is called, for its prompt); and the whole model note, the model
  call excluded (parsing and check together).

``heldout/bullets.jsonl`` (third and fourth writers) is reported on its own line: it checks a change made on dev
before it lands.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
import time
from pathlib import Path
from typing import Any

SPLITS = ("dev", "test")
#: Bullet sets by a third and a fourth writer, written later to check changes made on dev before they land (see LABELS.md).
HELDOUT = "heldout"
#: Drafts and bullet sets by two further writers (writer-h, writer-i), split by id: ``fresh_read`` was read
#: while tuning, ``fresh_held`` never was (see LABELS.md). Reported on their own lines.
FRESH = ("fresh_read", "fresh_held")
#: Later fresh writers' sets, each split by id into a read and a never-read half: who wrote them.
FRESH_MORE = {"fresh2_read": "writer j, drafts", "fresh2_held": "writer j, drafts",
              "fresh3_read": "writer k, bullet sets", "fresh3_held": "writer k, bullet sets",
              "fresh4_read": "writer l, drafts", "fresh4_held": "writer l, drafts",
              "fresh5_read": "writer m, bullet sets", "fresh5_held": "writer m, bullet sets",
              "fresh6_read": "writer o, drafts about risk", "fresh6_held": "writer o, drafts about risk",
              "fresh7_read": "writer p, drafts", "fresh7_held": "writer p, drafts",
              "fresh8_read": "writer q, bullet sets", "fresh8_held": "writer q, bullet sets",
              "fresh9_read": "writer r, bullet sets", "fresh9_held": "writer r, bullet sets",
              "fresh10_read": "writer s, drafts", "fresh10_held": "writer s, drafts",
              "fresh11_read": "writer w, bullet sets", "fresh11_held": "writer w, bullet sets",
              "fresh12_read": "writer v, drafts", "fresh12_held": "writer v, drafts",
              "fresh13_read": "writer x, drafts", "fresh13_held": "writer x, drafts",
              "fresh14_read": "writer y, bullet sets", "fresh14_held": "writer y, bullet sets",
              "fresh15_read": "writer z, drafts about change", "fresh15_held": "writer z, drafts about change",
              "fresh16_read": "writer ab, drafts", "fresh16_held": "writer ab, drafts",
              "fresh17_read": "writer ac, drafts", "fresh17_held": "writer ac, drafts",
              "fresh18_read": "writer ac, bullet sets", "fresh18_held": "writer ac, bullet sets",
              "fresh19_read": "writer ad, drafts", "fresh19_held": "writer ad, drafts",
              "fresh20_read": "writer ad, bullet sets", "fresh20_held": "writer ad, bullet sets",
              "fresh21_read": "writer ag, drafts", "fresh21_held": "writer ag, drafts",
              "fresh22_read": "writer ag, bullet sets", "fresh22_held": "writer ag, bullet sets",
              "fresh23_read": "writer ap, drafts", "fresh23_held": "writer ap, drafts",
              "fresh24_read": "writer ap, bullet sets", "fresh24_held": "writer ap, bullet sets",
              "fresh25_read": "writer aq, bullet sets", "fresh25_held": "writer aq, bullet sets",
              "fresh26_read": "writer as, drafts", "fresh26_held": "writer as, drafts",
              "fresh27_read": "writer as, bullet sets", "fresh27_held": "writer as, bullet sets",
              "fresh28_read": "writer at, bullet sets on risk status", "fresh28_held": "writer at, bullet sets on risk status",
              "fresh29_read": "writer ax, drafts", "fresh29_held": "writer ax, drafts",
              "fresh30_read": "writer ax, bullet sets", "fresh30_held": "writer ax, bullet sets",
              "fresh31_read": "writer ay, bullet sets on risk status", "fresh31_held": "writer ay, bullet sets on risk status",
              "fresh33_read": "writer bc, bullet sets on risk status", "fresh33_held": "writer bc, bullet sets on risk status",
              "fresh34_read": "writer bb, drafts", "fresh34_held": "writer bb, drafts",
              "fresh35_read": "writer bb, bullet sets", "fresh35_held": "writer bb, bullet sets",
              "fresh36_read": "writer bf, drafts", "fresh36_held": "writer bf, drafts",
              "fresh37_read": "writer bf, bullet sets", "fresh37_held": "writer bf, bullet sets",
              "fresh38_read": "writer bg, bullet sets on risk status", "fresh38_held": "writer bg, bullet sets on risk status",
              "fresh39_read": "writer bj, drafts", "fresh39_held": "writer bj, drafts",
              "fresh40_read": "writer bj, bullet sets", "fresh40_held": "writer bj, bullet sets",
              "fresh41_read": "writer bm, drafts", "fresh41_held": "writer bm, drafts",
              "fresh42_read": "writer bm, bullet sets", "fresh42_held": "writer bm, bullet sets",
              "fresh43_read": "writer bp, drafts", "fresh43_held": "writer bp, drafts",
              "fresh44_read": "writer bp, bullet sets", "fresh44_held": "writer bp, bullet sets",
              "fresh45_read": "writer bs, drafts", "fresh45_held": "writer bs, drafts",
              "fresh46_read": "writer bs, bullet sets", "fresh46_held": "writer bs, bullet sets",
              "fresh47_read": "writer bv, drafts", "fresh47_held": "writer bv, drafts",
              "fresh48_read": "writer bv, bullet sets", "fresh48_held": "writer bv, bullet sets",
              "fresh49_read": "writer by, drafts", "fresh49_held": "writer by, drafts",
              "fresh50_read": "writer by, bullet sets", "fresh50_held": "writer by, bullet sets",
              "fresh51_read": "writer cb, drafts", "fresh51_held": "writer cb, drafts",
              "fresh52_read": "writer cb, bullet sets", "fresh52_held": "writer cb, bullet sets",
              "fresh53_read": "writer ce, drafts", "fresh53_held": "writer ce, drafts",
              "fresh54_read": "writer cf, bullet sets", "fresh54_held": "writer cf, bullet sets",
              "fresh55_read": "writer ci, drafts", "fresh55_held": "writer ci, drafts",
              "fresh56_read": "writer cj, bullet sets", "fresh56_held": "writer cj, bullet sets",
              "fresh57_read": "writer cm, drafts", "fresh57_held": "writer cm, drafts",
              "fresh58_read": "writer cn, bullet sets", "fresh58_held": "writer cn, bullet sets",
              "fresh59_read": "writer cq, drafts", "fresh59_held": "writer cq, drafts",
              "fresh60_read": "writer cr, bullet sets", "fresh60_held": "writer cr, bullet sets",
              "fresh61_read": "writer cu, drafts", "fresh61_held": "writer cu, drafts",
              "fresh62_read": "writer cv, bullet sets", "fresh62_held": "writer cv, bullet sets",
              "fresh63_read": "writer cx, bullet sets", "fresh63_held": "writer cx, bullet sets",
              "fresh64_read": "writer cz, bullet sets", "fresh64_held": "writer cz, bullet sets",
              "fresh65_read": "writer da, drafts", "fresh65_held": "writer da, drafts",
              "fresh66_read": "writer dc, bullet sets", "fresh66_held": "writer dc, bullet sets",
              "fresh67_read": "writer dd, drafts", "fresh67_held": "writer dd, drafts",
              "fresh68_read": "writer df, bullet sets", "fresh68_held": "writer df, bullet sets",
              "fresh69_read": "writer dg, drafts", "fresh69_held": "writer dg, drafts"}
RISK_KINDS = ("risk_minimised", "risk_denied", "risk_contradicted", "risk_graded")


def _root(root: Path | None) -> Path:
    if root is not None:
        return root
    from .runner import evals_dir

    return evals_dir() / "factcheck"


def load(split: str, name: str, root: Path | None = None) -> list[dict[str, Any]]:
    base = _root(root)
    path = base / split / f"{name}.jsonl"
    if split == "test":
        recorded = dict(line.split()[::-1] for line in (base / "test.sha256").read_text().splitlines() if line.strip())
        actual = hashlib.sha256(path.read_bytes()).hexdigest()
        if recorded.get(f"test/{name}.jsonl") != actual:
            raise SystemExit(f"the frozen test split changed: evals/factcheck/test/{name}.jsonl")
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines() if line.strip()]


def _squash(text: str) -> str:
    return re.sub(r"\s+", " ", text.replace("**", "")).strip().lower()


def _present(sentence: str, text: str) -> bool:
    s = _squash(sentence).lstrip("- ").rstrip(".")
    return bool(s) and s in _squash(text)


def _unlabel(text: str) -> str:
    return re.sub(r"^\s*(?:hw|homework|task|plan|goal|next|nxt|group\s+task)\s*(?:[:\-–—=]|→)\s*", "", text, flags=re.I)


def _parts(bullets: str) -> list[str]:
    """The grader's own split of the bullets into parts (not the product's clause splitter)."""
    out = []
    for line in bullets.splitlines():
        line = re.sub(r"^\s*[-*•]\s*", "", line).strip()
        for part in re.split(r";|,|(?<=[a-z)])\.\s|\s[-–—]\s", line):
            part = _unlabel(part.strip())
            if part.strip(" ."):
                out.append(part.strip(" ."))
    return out


def _covered(part: str, note: str) -> bool:
    low = _squash(note)
    if _squash(part) in low:
        return True
    words = re.findall(r"[a-z]{3,}|\d+", part.lower())
    return all(w in low for w in words)


def run_drafts(split: str, assistant: Any, root: Path | None = None, details: bool = False) -> dict[str, Any]:
    from ..embeddings import get_encoder
    from ..notes.drafting import draft_note
    from ..testing.fake_model import ScriptedModel

    class Timed(ScriptedModel):
        """Notes when the reply is handed back: the fact check's time runs from there."""

        replied = 0.0

        def complete(self, *args: Any, **kwargs: Any) -> Any:
            try:
                return super().complete(*args, **kwargs)
            finally:
                self.replied = time.perf_counter()

    rows = load(split, "drafts", root)
    caught: dict[str, list[bool]] = {}
    kept: list[bool] = []
    replaced: list[bool] = []  # a faithful draft thrown away whole for the offline note
    false_flags: list[int] = []  # unsupported-claim flags on a faithful draft
    times: list[float] = []
    whole: list[float] = []
    misses: list[dict[str, Any]] = []
    forget = get_encoder().clear_cache  # each draft timed as the first in its process (`ipt note` is one)
    for r in rows:
        model = Timed(replies=[r["draft"]])
        forget()
        started = time.perf_counter()
        note = draft_note(r["bullets"], assistant.catalog, model, format=r["format"])
        done = time.perf_counter()
        times.append((done - model.replied) * 1000)
        whole.append((done - started) * 1000)
        if r["label"] == "faithful":
            ok = note.mode == "llm" and not note.has_flag("unsupported_claim")
            kept.append(ok)
            replaced.append(note.mode != "llm")
            false_flags.append(sum(f.code == "unsupported_claim" for f in note.flags))
            if not ok and details:
                misses.append({"id": r["id"], "false_flags": [f.span for f in note.flags
                                                              if f.code in ("unsupported_claim", "fallback_offline")]})
            continue
        for p in r["plants"]:
            hit = not _present(p["text"], note.text)
            caught.setdefault(p["kind"], []).append(hit)
            if not hit and details:
                misses.append({"id": r["id"], "kind": p["kind"], "missed": p["text"]})
    every = [x for v in caught.values() for x in v]
    risk = [x for k in RISK_KINDS for x in caught.get(k, [])]
    report: dict[str, Any] = {
        "split": split, "drafts": len(rows), "planted": len(every), "faithful": len(kept),
        "planted_caught": round(sum(every) / len(every), 4) if every else None,
        "risk_caught": round(sum(risk) / len(risk), 4) if risk else None,
        "faithful_kept": round(sum(kept) / len(kept), 4) if kept else None,
        "faithful_replaced": round(sum(replaced) / len(replaced), 4) if replaced else None,
        "false_flags_per_faithful": round(sum(false_flags) / len(false_flags), 2) if false_flags else None,
        "caught_by_kind": {k: f"{sum(v)}/{len(v)}" for k, v in sorted(caught.items())},
        "check_p50_ms": round(statistics.median(times), 1) if times else None,
        "note_with_check_p50_ms": round(statistics.median(whole), 1) if whole else None,
    }
    if details:
        report["misses"] = misses
    return report


def run_bullets(split: str, assistant: Any, root: Path | None = None, details: bool = False) -> dict[str, Any]:
    from ..embeddings import get_encoder
    from ..notes.drafting import draft_note

    rows = load(split, "bullets", root)
    right: dict[str, list[bool]] = {k: [] for k in ("risk_status", "session_kind", "focal_status", "focal_area",
                                                       "session", "measures", "tasks", "interventions",
                                                       "coverage")}
    times: list[float] = []
    wrong: list[dict[str, Any]] = []
    formats = ("soap", "dap", "birp", "girp")
    forget = get_encoder().clear_cache
    for i, r in enumerate(rows):
        forget()
        started = time.perf_counter()
        note = draft_note(r["bullets"], assistant.catalog, None, format=formats[i % 4])
        times.append((time.perf_counter() - started) * 1000)
        f = note.facts
        got = {"risk_status": f.risk.status, "session_kind": f.session_kind, "focal_status": f.focal_status,
               "focal_area": f.focal_area if f.focal_status != "unknown" or r.get("focal_area") is None else f.focal_area,
               "session": f.session}
        checks = {
            "risk_status": got["risk_status"] == r["risk_status"],
            "session_kind": got["session_kind"] == r["session_kind"],
            "focal_status": got["focal_status"] == r["focal_status"],
            "focal_area": r.get("focal_area") is None or got["focal_area"] == r["focal_area"],
            "session": r.get("session") is None or got["session"] == r["session"],
            "measures": all(_present(m, note.text) for m in r.get("measures", [])),
            "tasks": all(_present(_unlabel(t), note.text) for t in r.get("tasks", [])),
            # done: in the note and not in its Plan section; planned: in the Plan section
            "interventions": all(_present(d, note.text) and not _present(d, note.sections.get("Plan", ""))
                                 for d in r.get("interventions_done", []))
            and all(_present(p, note.sections.get("Plan", "")) for p in r.get("interventions_planned", [])),
            "coverage": all(_covered(p, note.text) for p in _parts(r["bullets"])),
        }
        for k, ok in checks.items():
            right[k].append(ok)
        if details and not all(checks.values()):
            wrong.append({"id": r["id"], "failed": [k for k, ok in checks.items() if not ok],
                          "got": got, "uncovered": [p for p in _parts(r["bullets"]) if not _covered(p, note.text)]})
    report: dict[str, Any] = {"split": split, "bullet_sets": len(rows)}
    for k, v in right.items():
        report[k] = round(sum(v) / len(v), 4) if v else None
    report["offline_note_p50_ms"] = round(statistics.median(times), 1) if times else None
    if details:
        report["wrong"] = wrong
    return report


MEASURES = [
    ("planted inventions caught", "planted_caught", ">= 0.97"),
    ("risk contradictions and minimisations caught", "risk_caught", "1.0"),
    ("faithful drafts kept, no false flag", "faithful_kept", ">= 0.9"),
    ("faithful drafts replaced by the offline note", "faithful_replaced", "-"),
    ("false flags per faithful draft", "false_flags_per_faithful", "-"),
    ("fact check p50 per draft, from the model's reply (ms)", "check_p50_ms", "<= 30"),
    ("whole model note p50, the model call excluded (ms)", "note_with_check_p50_ms", "-"),
    ("risk status as labelled", "risk_status", "1.0"),
    ("session kind as labelled", "session_kind", "-"),
    ("focal status as labelled", "focal_status", "-"),
    ("focal area as labelled", "focal_area", "-"),
    ("session number as labelled", "session", "-"),
    ("measures kept verbatim", "measures", "1.0"),
    ("tasks kept verbatim", "tasks", "1.0"),
    ("interventions done vs planned", "interventions", "-"),
    ("coverage: every bullet part in the note", "coverage", "1.0"),
    ("offline note p50 (ms)", "offline_note_p50_ms", "<= 30"),
]


def run(split: str, assistant: Any = None, root: Path | None = None, details: bool = False) -> dict[str, Any]:
    from ..assistant import Assistant

    a = assistant or Assistant(offline=True)
    out = run_drafts(split, a, root, details)
    out.update({k: v for k, v in run_bullets(split, a, root, details).items() if k != "split"})
    return out


def suite_main(args: Any) -> int:
    """``ipt eval --suite factcheck``: dev and test side by side; exit 1 when the test split changed."""
    import sys

    from ..assistant import Assistant

    a = Assistant(offline=True)
    reports = {split: run(split, a) for split in SPLITS}
    held = _root(None) / HELDOUT / "bullets.jsonl"
    if held.exists():
        reports[HELDOUT] = run_bullets(HELDOUT, a)
    for split in FRESH:
        if (_root(None) / split / "drafts.jsonl").exists():
            reports[split] = run(split, a)
    for split in FRESH_MORE:
        if (_root(None) / split / "drafts.jsonl").exists():
            reports[split] = run_drafts(split, a)
        elif (_root(None) / split / "bullets.jsonl").exists():
            reports[split] = run_bullets(split, a)
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(reports, ensure_ascii=False) + "\n")
        return 0
    lines = ["| measure | " + " | ".join(SPLITS) + " | target |", "|---|" + "---|" * (len(SPLITS) + 1)]
    for name, key, target in MEASURES:
        lines.append("| " + " | ".join([name, *[str(reports[s].get(key)) for s in SPLITS], target]) + " |")
    lines.append("")
    for s in SPLITS:
        lines.append(f"{s}: caught by kind {json.dumps(reports[s]['caught_by_kind'])}")
    n = " / ".join(f"{s}: {reports[s]['planted']} plants in {reports[s]['drafts']} drafts, "
                   f"{reports[s]['bullet_sets']} bullet sets" for s in SPLITS)
    if HELDOUT in reports:
        h = reports[HELDOUT]
        n += (f"\n{HELDOUT} bullet sets (n={h['bullet_sets']}, third and fourth writers): risk status {h['risk_status']}, "
              f"session kind {h['session_kind']}, focal status {h['focal_status']}, focal area {h['focal_area']}, "
              f"tasks {h['tasks']}, interventions {h['interventions']}, coverage {h['coverage']}")
    for split in FRESH:
        if split in reports:
            f = reports[split]
            n += (f"\n{split} (writers h and i; {'read while tuning' if split == 'fresh_read' else 'never read'}): "
                  f"{f['planted']} plants in {f['drafts']} drafts, planted caught {f['planted_caught']}, risk caught "
                  f"{f['risk_caught']}, faithful kept {f['faithful_kept']} (replaced {f['faithful_replaced']}, false "
                  f"flags each {f['false_flags_per_faithful']}); {f['bullet_sets']} bullet sets, risk status "
                  f"{f['risk_status']}, session kind {f['session_kind']}, focal status {f['focal_status']}, "
                  f"coverage {f['coverage']}")
    for split, who in FRESH_MORE.items():
        if split in reports:
            f = reports[split]
            n += f"\n{split} ({who}; {'read while tuning' if split.endswith('_read') else 'never read'}): "
            if "planted_caught" in f:
                n += (f"{f['planted']} plants in {f['drafts']} drafts, planted caught {f['planted_caught']}, "
                      f"risk caught {f['risk_caught']}, faithful kept {f['faithful_kept']} (of {f['faithful']}; "
                      f"replaced {f['faithful_replaced']}, false flags each {f['false_flags_per_faithful']})")
            else:
                n += (f"{f['bullet_sets']} bullet sets, risk status {f['risk_status']}, session kind "
                      f"{f['session_kind']}, focal status {f['focal_status']}, coverage {f['coverage']}")
    sys.stdout.write("\n".join(lines) + f"\n\n{n}\n")
    return 0


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a thin CLI
    import argparse

    p = argparse.ArgumentParser(prog="python -m assistant.evals.factcheck_suite")
    p.add_argument("split", nargs="?", default="dev", choices=SPLITS)
    p.add_argument("--details", action="store_true")
    args = p.parse_args(argv)
    print(json.dumps(run(args.split, details=args.details), indent=2, ensure_ascii=False))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
