"""The situations eval: do answers answer the question, briefly, fitted to the case?

``evals/situations/{dev,test}.jsonl`` hold clinicians' questions, each labelled with the situation it is
about (``situation``: an id from ``knowledge/situations.yaml``, or null for an ordinary next-step
question) and the people it mentions (``people``). The test split is frozen: its sha256 is recorded in
``test.sha256`` and :func:`run_situations` refuses to report on a changed file.

Every check reads the answer text against the labels and the knowledge base; none calls the product's
situation matcher to decide a pass:

* **leads**: the first answer paragraph (after any safety-first section) opens with the labelled
  situation's name and contains its stance words; for a null label, it opens with no situation's name;
* **words**: answer length (median and max);
* **relationship fit**: the answer names no relative the question (its text and labels) does not mention;
* **phase leaks**: after the initial phase, with a focal area known, no next step does initial-phase work
  (taking the inventory, a timeline, presenting the formulation, choosing the focal area, the sick role);
* **distinct**: questions labelled with different situations never get the same answer body.
"""

from __future__ import annotations

import hashlib
import json
import re
import statistics
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

SPLITS = ("dev", "test")

#: Relatives and other people an answer might address; the grader's own list (not the product's).
_KIN_WORDS = {
    "husband": "husband", "wife": "wife", "boyfriend": "boyfriend", "girlfriend": "girlfriend",
    "fiance": "fiance", "fiancé": "fiance", "fiancee": "fiance", "fiancée": "fiance",
    "ex-husband": "ex-husband", "ex-wife": "ex-wife", "mother": "mother", "mum": "mother", "mom": "mother",
    "father": "father", "dad": "father", "stepmother": "stepmother", "stepfather": "stepfather",
    "mother-in-law": "mother-in-law", "father-in-law": "father-in-law", "sister-in-law": "sister-in-law",
    "brother-in-law": "brother-in-law", "son": "son", "daughter": "daughter", "sister": "sister",
    "brother": "brother", "grandmother": "grandmother", "grandma": "grandmother", "grandfather": "grandfather",
    "grandpa": "grandfather", "grandson": "grandson", "granddaughter": "granddaughter", "aunt": "aunt",
    "uncle": "uncle", "niece": "niece", "nephew": "nephew", "boss": "boss", "manager": "boss",
}
#: Named only as "your X" / "I'll be X" does one of these count.
_GENERAL_WORDS = {
    "partner": "partner", "spouse": "partner", "parents": "parents", "children": "children", "kids": "children",
    "baby": "baby", "friend": "friend", "friends": "friend", "colleague": "colleague", "family": "family",
    "in-laws": "in-laws", "sibling": "sibling", "siblings": "sibling",
}
_IMPLIES = {  # a question naming the key licenses the values
    "husband": {"partner"}, "wife": {"partner"}, "boyfriend": {"partner"}, "girlfriend": {"partner"},
    "fiance": {"partner"}, "partner": {"partner"}, "mother": {"parents"}, "father": {"parents"},
    "son": {"children"}, "daughter": {"children"}, "kids": {"children"}, "sister": {"sibling"},
    "brother": {"sibling"}, "manager": {"boss"}, "supervisor": {"boss"}, "mother-in-law": {"in-laws"},
    "father-in-law": {"in-laws"}, "friends": {"friend"},
}
_ALL = sorted(set(_KIN_WORDS) | set(_GENERAL_WORDS), key=len, reverse=True)
_WORD = re.compile(r"(?<![\w-])(" + "|".join(re.escape(w) for w in _ALL) + r")(?![\w-])", re.I)
_ADDRESS = re.compile(r"\b(?:your|I'll\s+be(?:\s+your)?)\s+(?:late\s+)?(" + "|".join(re.escape(w) for w in _ALL) +
                      r")(?![\w-])", re.I)
#: Initial-phase work in a next step.
_INITIAL_WORK = re.compile(
    r"\b(?:(?:take|taking|complete|completing|finish|finishing)\s+(?:the\s+)?(?:interpersonal\s+)?inventory|"
    r"(?:build|building|draw|drawing|put|lay)\w*\s+(?:\w+\s+){0,4}(?:on\s+)?(?:a\s+|the\s+)?(?:dated\s+)?timeline|"
    r"(?:present|offer|give|share|write)\w*\s+the\s+(?:\w+\s+){0,2}formulation|relat\w+\s+the\s+onset|"
    r"(?:choos|pick|select)\w*\s+(?:the\s+|one\s+)?(?:primary\s+)?focal\s+area|"
    r"(?:assign|give|offer)\w*\s+the\s+sick\s+role|agree\s+the\s+(?:treatment\s+)?contract|date\s+of\s+onset)",
    re.I,
)
_NOT_LEAD = ("**Possible risk", "**Ask directly", "**When the client is safe", "**Adaptation", "**Is IPT the right fit",
             "**About ", "**Bereavement by suicide", "**Session ", "**Where you are")


def evals_root() -> Path:
    from .runner import evals_dir

    return evals_dir() / "situations"


def load_split(split: str, root: Path | None = None) -> list[dict[str, Any]]:
    if split not in SPLITS:
        raise ValueError(f"unknown split {split!r}: use one of {', '.join(SPLITS)}")
    base = root or evals_root()
    path = base / f"{split}.jsonl"
    data = path.read_bytes()
    if split == "test":
        recorded = (base / "test.sha256").read_text(encoding="utf-8").split()[0]
        actual = hashlib.sha256(data).hexdigest()
        if actual != recorded:
            raise ValueError(f"{path}: the frozen test split changed (sha256 {actual[:12]}…, recorded "
                             f"{recorded[:12]}…); restore it rather than re-freezing a tuned file")
    return [json.loads(line) for line in data.decode("utf-8").splitlines() if line.strip()]


def words(text: str) -> int:
    return len(re.findall(r"[A-Za-z0-9][\w'’-]*", text))


def paragraphs(text: str) -> list[str]:
    return [p.strip() for p in re.split(r"\n\s*\n", text) if p.strip()]


def lead_paragraph(text: str) -> str:
    """The answer's first substantive paragraph: after the label, the orientation line and any
    safety-first section."""
    paras = paragraphs(text)
    in_safety = False
    for p in paras:
        if p.startswith(">"):
            continue
        if p.startswith("## Safety first"):
            in_safety = True
            continue
        if p.startswith("## "):
            return ""  # a section heading before any lead: no direct answer
        if in_safety and not p.startswith("**"):
            continue  # the safety section's steps and notes
        if p.startswith(_NOT_LEAD) or (p.startswith("**") and " · " in p.split("\n")[0][:200] and "phase" in p[:200]):
            continue
        if p.startswith("**Sources") or p.startswith("Sources:"):
            return ""
        return p
    return ""


def next_steps(text: str) -> list[str]:
    m = re.search(r"^## Next steps\s*\n((?:\d+\..*\n?)+)", text, re.M)
    return [re.sub(r"^\d+\.\s*", "", l).strip() for l in m.group(1).splitlines() if l.strip()] if m else []


def licensed(question: str, people: list[str]) -> set[str]:
    """Relatives an answer may name: those in the labels and in the question text (normalised)."""
    names: set[str] = set()
    for w in [*people, *(m.group(1) for m in _WORD.finditer(question))]:
        key = w.lower()
        norm = _KIN_WORDS.get(key) or _GENERAL_WORDS.get(key) or key
        names.add(norm)
        names |= _IMPLIES.get(key, set()) | _IMPLIES.get(norm, set())
    return names


def unfitting_relatives(answer: str, question: str, people: list[str]) -> list[str]:
    ok = licensed(question, people)
    bad: list[str] = []
    for m in _WORD.finditer(answer):
        key = m.group(1).lower()
        norm = _KIN_WORDS.get(key)
        if norm and norm not in ok:
            bad.append(norm)
    for m in _ADDRESS.finditer(answer):
        key = m.group(1).lower()
        norm = _KIN_WORDS.get(key) or _GENERAL_WORDS.get(key)
        if norm and norm not in ok:
            bad.append(norm)
    return sorted(set(bad))


@dataclass
class ItemResult:
    id: str
    expected: str | None
    led_by: str | None
    leads: bool
    stance_missing: list[str]
    words: int
    unfitting: list[str]
    phase_leaks: list[str]
    phase: str | None
    focal_area: str | None
    body: str = field(repr=False, default="")


def grade(item: dict[str, Any], answer: Any, catalog: Any) -> ItemResult:
    text = answer.answer
    lead = lead_paragraph(text)
    names = {s.name: sid for sid, s in catalog.situations.items()}
    led_by = next((sid for name, sid in names.items()
                   if lead.startswith(f"**{name}**") or lead.startswith(f"**{name}.**")), None)
    expected = item.get("situation")
    stance_missing: list[str] = []
    if expected:
        stance_missing = [w for w in catalog.situations[expected].stance if w.lower() not in lead.lower()]
        leads = led_by == expected and not stance_missing
    else:
        leads = led_by is None
    leaks: list[str] = []
    total = item.get("of") or getattr(answer, "total_sessions", None) or 16
    session = item.get("session") or getattr(answer, "session", None)
    if session is not None and answer.focal_area is not None:
        from ..phase import phase_bounds

        initial_end, _ = phase_bounds(total)
        if session > initial_end:
            leaks = [s for s in next_steps(text) if _INITIAL_WORK.search(s)]
    body = "\n".join([lead, *next_steps(text)])
    return ItemResult(item["id"], expected, led_by, leads, stance_missing, words(text),
                      unfitting_relatives(text, item["text"], item.get("people", [])), leaks,
                      answer.phase, answer.focal_area, body)


def run_situations(split: str = "dev", *, assistant: Any = None, root: Path | None = None,
                   details: bool = False) -> dict[str, Any]:
    """Run the offline assistant over one split and report the rates (see the module docstring)."""
    from ..assistant import Assistant

    items = load_split(split, root)
    a = assistant or Assistant(offline=True)
    cat = a.catalog
    results: list[ItemResult] = []
    for item in items:
        ans = a.ask(item["text"], session=item.get("session"), total_sessions=item.get("of") or 16,
                    focal_area=item.get("focus"))
        results.append(grade(item, ans, cat))
    labelled = [r for r in results if r.expected]
    unlabelled = [r for r in results if not r.expected]
    counts = [r.words for r in results]
    by_body: dict[str, set[str]] = {}
    for r in results:
        by_body.setdefault(r.body, set()).add(r.expected or "none")
    clashes = sum(1 for labels in by_body.values() if len(labels) > 1)
    report: dict[str, Any] = {
        "split": split,
        "items": len(results),
        "situation_items": len(labelled),
        "none_items": len(unlabelled),
        "right_situation_leads": round(sum(r.leads for r in labelled) / len(labelled), 4) if labelled else None,
        "no_situation_when_none": round(sum(r.leads for r in unlabelled) / len(unlabelled), 4) if unlabelled else None,
        "all_correct": round(sum(r.leads for r in results) / len(results), 4) if results else None,
        "median_words": statistics.median(counts) if counts else 0,
        "max_words": max(counts) if counts else 0,
        "answers_with_unfitting_relatives": sum(bool(r.unfitting) for r in results),
        "answers_with_phase_leaks": sum(bool(r.phase_leaks) for r in results),
        "shared_bodies_across_situations": clashes,
        "distinct_bodies": len(by_body),
    }
    if details:
        report["failures"] = [
            {"id": r.id, "expected": r.expected, "led_by": r.led_by, "stance_missing": r.stance_missing,
             "unfitting": r.unfitting, "phase_leaks": r.phase_leaks, "words": r.words}
            for r in results if not r.leads or r.unfitting or r.phase_leaks or r.words > 450
        ]
    return report


SITUATION_MEASURES = [
    ("the right situation leads", "right_situation_leads", ">= 0.85"),
    ("no situation when none applies", "no_situation_when_none", "-"),
    ("median words", "median_words", "<= 300"),
    ("max words", "max_words", "<= 450"),
    ("answers naming a relative the question does not", "answers_with_unfitting_relatives", "0"),
    ("initial-phase steps after the initial phase", "answers_with_phase_leaks", "0"),
    ("distinct answer bodies", "distinct_bodies", "-"),
]


def suite_main(args: Any) -> int:
    """``ipt eval --suite situations``: dev and test side by side; exit 1 when the test split changed
    or a target is missed on it."""
    import sys

    from ..assistant import Assistant

    a = Assistant(offline=True)
    reports = {split: run_situations(split, assistant=a) for split in SPLITS}
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps(reports, ensure_ascii=False) + "\n")
    else:
        lines = ["| measure | " + " | ".join(SPLITS) + " | target |", "|---|" + "---|" * (len(SPLITS) + 1)]
        for name, key, target in SITUATION_MEASURES:
            vals = [reports[s].get(key) for s in SPLITS]
            lines.append("| " + " | ".join([name, *[str(v) for v in vals], target]) + " |")
        n = " / ".join(f"{s} n={reports[s]['items']}" for s in SPLITS)
        sys.stdout.write("\n".join(lines) + f"\n\n{n}\n")
    t = reports["test"]
    missed = ((t["right_situation_leads"] or 0) < 0.85 or t["max_words"] > 450 or t["median_words"] > 300
              or t["answers_with_unfitting_relatives"] or t["answers_with_phase_leaks"])
    return 1 if missed else 0


def main(argv: list[str] | None = None) -> int:  # pragma: no cover - a thin CLI
    import argparse

    p = argparse.ArgumentParser(prog="python -m assistant.evals.situations")
    p.add_argument("split", nargs="?", default="dev", choices=SPLITS)
    p.add_argument("--details", action="store_true")
    args = p.parse_args(argv)
    print(json.dumps(run_situations(args.split, details=args.details), indent=2))
    return 0


if __name__ == "__main__":  # pragma: no cover
    raise SystemExit(main())
