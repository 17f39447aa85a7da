"""``ipt eval --suite signals``: the signal layer against labelled snippets (evals/signals/).

Graded by the labels only: the product's screen produces a prediction, and the grader compares
it with what the snippet's author labelled. Reports precision and recall per category and split,
the issue's headline measures, and the old regex rules' figures on the same test split (computed
once from the last commit that had them, kept in evals/baselines/signals_legacy.json).
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Callable, Iterable

from ..signals.types import ADAPTATIONS, OUT_OF_FRAME, RISK_KINDS, STABILISE_FIRST

SPLITS = ("dev", "test")
#: A fifth writer's snippets (writer-g, 3 December 2026, see LABELS.md), split by id: the odd half was read
#: while tuning (development data), the even half was never read. Reported beside dev and test.
FRESH = ("fresh_read", "fresh_held")
#: Three more writers' snippets (4 December 2026, LABELS.md): the never-read third, reported beside them; and
#: a later writer's words of risk used literally and figuratively (never read), reported the same way; and
#: the never-read halves of two later writers' sets (4 December 2026, night): suicide warning signs against
#: look-alikes, and every risk kind in busy clinicians' words; and of two more (4 December 2026, late night):
#: out-of-frame methods and focal areas in plain words, and stabilise-first presentations and adaptations; and of
#: two more (5 December 2026): where a denial, a supposition, a date or another person's risk stops; and risk
#: screens, scores and time in notes; and whose risk it is, and words of risk that are not the client's current risk;
#: and (5 December, second round) the stabilise-first presentations against their look-alikes; and (5 December,
#: twenty-third round) whose risk it is when someone tells of it, with look-alikes of every kind; and (5 December,
#: twenty-fourth round) a writer in many clinicians' voices across every category; and (5 December, twenty-fifth
#: round) another; and (5 December, twenty-sixth round) two more: one across every category, one on where a risk
#: mention stops being the client's current risk; and (5 December, twenty-seventh round) another across every category;
#: and (6 December, twenty-eighth round) two more: one across every category, one on out-of-frame methods in plain
#: words, focal areas and stabilise-first; and (6 December, twenty-ninth round) two more of the same two kinds; and
#: (6 December, thirtieth round) two more: one across every category, one on out-of-frame methods and focal areas; and
#: (6 December, thirty-first round) two more: one across every category in busy clinicians' voices, one on out-of-frame
#: methods in plain words, focal areas and the stabilise-first presentations by meaning; and (6 December, thirty-second
#: round) two more: one on current risk without keywords, mentions, look-alikes and focal areas, one on methods in plain
#: words, stabilise-first presentations and adaptations; and (thirty-third round) two more: one on current risk in
#: plain words, mentions, look-alikes and stabilise-first presentations by their signs, one on methods in plain words,
#: near misses, focal areas at their boundaries and adaptations; and (thirty-fourth to forty-third rounds) two more
#: of the same kinds each; and (forty-fourth round) one on wordings hard to read (thoughts of an act against a child,
#: a partner's violence told through the partner, euphemism, farewells in writing, look-alikes); and (forty-fifth
#: round) one on a partner in shorthand, a relative's partner reported, warning signs in plain words, look-alikes of
#: mania and psychosis, quotations and hypotheticals; and (forty-sixth round) one on the stabilise-first presentations
#: and out-of-frame methods in plain words beside their look-alikes, risk in euphemism, focal areas and ages; and
#: (forty-seventh round) one on look-alikes of intoxication, PTSD, mania and psychosis beside the real thing, risk in plain
#: words beside denials in shorthand, and snippets with no focal area.
MORE = ("more_val", "figurative_fresh", "warn16_held", "mix16_held", "frame17_held", "fit17_held", "scope18_held",
        "time18_held", "exp19_held", "fig19_held", "stab20_held", "mix21_held", "w22_held",
        "w24_held", "w25_held", "w26_held", "w26b_held", "w27_held", "w28_held", "w28b_held", "w29_held", "w29b_held",
        "w30_held", "w30b_held", "w31_held", "w31b_held", "w32_held", "w32b_held",
        "w33_held", "w33b_held", "w34_held", "w34b_held", "w35_held", "w35b_held",
        "w36_held", "w36b_held", "w37_held", "w37b_held", "w38_held", "w38b_held", "w39_held", "w39b_held",
        "w40_held", "w40b_held", "w41_held", "w41b_held", "w42_held", "w42b_held", "w43_held", "w43b_held",
        "w44_held", "w45_held", "w46_held", "w47_held")


def signals_dir() -> Path:
    from .runner import evals_dir

    return evals_dir() / "signals"


def load_split(split: str, root: Path | None = None) -> list[dict[str, Any]]:
    root = root or signals_dir()
    rows: list[dict[str, Any]] = []
    for path in sorted((root / split).glob("*.jsonl")):
        for line in path.read_text(encoding="utf-8").splitlines():
            if line.strip():
                rows.append(json.loads(line))
    return rows


def split_digest(split: str, root: Path | None = None) -> str:
    root = root or signals_dir()
    h = hashlib.sha256()
    for path in sorted((root / split).glob("*.jsonl")):
        h.update(path.name.encode() + b"\0" + path.read_bytes())
    return h.hexdigest()


def frozen_ok(root: Path | None = None) -> tuple[bool, str]:
    """The test split must match the hash recorded when it was frozen."""
    root = root or signals_dir()
    recorded = (root / "test.sha256").read_text().split()[0] if (root / "test.sha256").exists() else ""
    actual = split_digest("test", root)
    return recorded == actual, actual


@dataclass
class Prediction:
    risk: str
    risk_kinds: list[str]
    assertion: str | None
    out_of_frame: list[str]
    focal_area: str | None
    secondary_focal_area: str | None
    adaptations: list[str]
    stabilise_first: list[str]


def predict(text: str, catalog: Any = None) -> Prediction:
    """The product's reading of one snippet, through the same functions ``ask`` and ``note`` use."""
    from ..signals import read_text
    from ..signals.screens import named_focus

    r = read_text(text, catalog=catalog, explicit_focus=named_focus(text))  # as ask reads it (planning.py)
    return Prediction(r.risk.level or "none", r.risk.kinds, r.risk.assertion, r.request.out_of_frame,
                      r.focal.primary, r.focal.secondary, r.request.adaptations, r.stabilise_first)


def _prf(tp: int, fp: int, fn: int) -> dict[str, float | int]:
    p = tp / (tp + fp) if tp + fp else 1.0
    r = tp / (tp + fn) if tp + fn else 1.0
    return {"precision": round(p, 3), "recall": round(r, 3), "f1": round(2 * p * r / (p + r), 3) if p + r else 0.0,
            "tp": tp, "fp": fp, "fn": fn}


def _set_metrics(rows: list[dict[str, Any]], preds: list[Prediction], field: str, cats: Iterable[str]) -> dict[str, Any]:
    per: dict[str, Any] = {}
    tp = fp = fn = 0
    for c in cats:
        t = sum(1 for r, p in zip(rows, preds) if c in r[field] and c in getattr(p, field))
        f = sum(1 for r, p in zip(rows, preds) if c not in r[field] and c in getattr(p, field))
        n = sum(1 for r, p in zip(rows, preds) if c in r[field] and c not in getattr(p, field))
        if t + f + n:
            per[c] = _prf(t, f, n)
        tp, fp, fn = tp + t, fp + f, fn + n
    return {"micro": _prf(tp, fp, fn), "per_category": per}


def score(rows: list[dict[str, Any]], preds: list[Prediction]) -> dict[str, Any]:
    """The issue's measures, from labels vs predictions."""
    at_risk = [(r, p) for r, p in zip(rows, preds) if r["risk"] != "none"]
    free = [(r, p) for r, p in zip(rows, preds) if r["risk"] == "none"]
    asserted = [(r, p) for r, p in zip(rows, preds) if r.get("assertion")]
    focal = [(r, p) for r, p in zip(rows, preds) if r.get("focal_area")]
    sets = {name: _set_metrics(rows, preds, name, cats) for name, cats in (
        ("risk_kinds", RISK_KINDS), ("out_of_frame", OUT_OF_FRAME), ("adaptations", ADAPTATIONS),
        ("stabilise_first", STABILISE_FIRST))}
    out = {
        "n": len(rows),
        "risk_recall": round(sum(p.risk != "none" for _, p in at_risk) / max(1, len(at_risk)), 3),
        "risk_stated_recall": round(sum(p.risk == "risk" for r, p in at_risk if r["risk"] == "risk")
                                    / max(1, sum(r["risk"] == "risk" for r, _ in at_risk)), 3),
        "false_alarm_rate": round(sum(p.risk != "none" for _, p in free) / max(1, len(free)), 3),
        "risk_assertion_accuracy": round(sum(p.assertion == r["assertion"] for r, p in asserted) / max(1, len(asserted)), 3),
        "out_of_frame": sets["out_of_frame"]["micro"],
        "focal_accuracy": round(sum(p.focal_area == r["focal_area"] for r, p in focal) / max(1, len(focal)), 3),
        "focal_wrong_rate": round(sum(p.focal_area not in (None, r["focal_area"]) for r, p in focal) / max(1, len(focal)), 3),
        "focal_false_on_none": round(sum(p.focal_area is not None for r, p in zip(rows, preds) if not r.get("focal_area"))
                                     / max(1, sum(not r.get("focal_area") for r in rows)), 3),
        "adaptations": sets["adaptations"]["micro"],
        "stabilise_first": sets["stabilise_first"]["micro"],
        "counts": {"at_risk": len(at_risk), "risk_free": len(free), "asserted": len(asserted), "focal": len(focal)},
        "per_category": {
            **{name: m["per_category"] for name, m in sets.items()},
            "assertion_confusion": dict(Counter(f"{r['assertion']}->{p.assertion}" for r, p in asserted
                                                if p.assertion != r["assertion"])),
        },
    }
    return out


def run(splits: Iterable[str] = SPLITS, predictor: Callable[[str], Prediction] | None = None,
        root: Path | None = None) -> dict[str, Any]:
    from ..catalog import get_catalog

    try:
        catalog = get_catalog()
    except Exception:  # noqa: BLE001 - a broken knowledge base only loses the adaptation cues
        catalog = None
    predictor = predictor or (lambda t: predict(t, catalog))
    report: dict[str, Any] = {"splits": {}}
    for split in splits:
        rows = load_split(split, root)
        if not rows:
            continue
        preds = [predictor(r["text"]) for r in rows]
        report["splits"][split] = score(rows, preds)
    ok, digest = frozen_ok(root)
    report["test_frozen"] = {"ok": ok, "sha256": digest}
    legacy = (root or signals_dir()).parent / "baselines" / "signals_legacy.json"
    if legacy.exists():
        report["legacy"] = json.loads(legacy.read_text(encoding="utf-8"))
    return report


HEADLINE = [
    ("risk recall (stated + possible)", "risk_recall", ">= 0.98"),
    ("false alarms (risk-free)", "false_alarm_rate", "<= 0.05"),
    ("risk assertion accuracy", "risk_assertion_accuracy", ">= 0.95"),
    ("out-of-frame recall", ("out_of_frame", "recall"), ">= 0.9"),
    ("out-of-frame precision", ("out_of_frame", "precision"), ">= 0.9"),
    ("focal area accuracy", "focal_accuracy", ">= 0.85"),
    ("focal area wrong", "focal_wrong_rate", "<= 0.05"),
    ("adaptations F1", ("adaptations", "f1"), ">= 0.9"),
    ("stabilise-first F1", ("stabilise_first", "f1"), ">= 0.9"),
]


def _get(d: dict[str, Any], key: Any) -> Any:
    if isinstance(key, tuple):
        return (d.get(key[0]) or {}).get(key[1])
    return d.get(key)


def table(report: dict[str, Any]) -> str:
    splits = list(report["splits"])
    head = ["measure", *splits, "old rules (test)", "target"]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    legacy = (report.get("legacy") or {}).get("test", {})
    for name, key, target in HEADLINE:
        vals = [_get(report["splits"][s], key) for s in splits]
        old = _get(legacy, key) if legacy else None
        lines.append("| " + " | ".join([name, *[f"{v:.3f}" if isinstance(v, float) else str(v) for v in vals],
                                        f"{old:.3f}" if isinstance(old, float) else "-", target]) + " |")
    n = " / ".join(f"{s} n={report['splits'][s]['n']}" for s in splits)
    frozen = report.get("test_frozen", {})
    return "\n".join(lines) + f"\n\n{n}; test split frozen: {'yes' if frozen.get('ok') else 'NO (hash differs)'}"


REGRESSION_TOLERANCE = 0.02


def _baseline_path() -> Path:
    return signals_dir().parent / "baselines" / "signals.json"


def regressions(report: dict[str, Any], baseline: dict[str, Any] | None) -> list[str]:
    """Headline measures on the test split that fell more than the tolerance below the baseline."""
    if not baseline or "test" not in report["splits"]:
        return []
    now, before = report["splits"]["test"], baseline.get("splits", {}).get("test", {})
    out = []
    for name, key, target in HEADLINE:
        a, b = _get(now, key), _get(before, key)
        if not isinstance(a, float) or not isinstance(b, float):
            continue
        worse = (a > b + REGRESSION_TOLERANCE) if target.startswith("<=") else (a < b - REGRESSION_TOLERANCE)
        if worse:
            out.append(f"{name}: {b:.3f} -> {a:.3f}")
    return out


def main(args: Any) -> int:
    """``ipt eval --suite signals``: prints the table (or JSON); exit 1 when a test measure regressed
    against evals/baselines/signals.json or the frozen test split changed; ``--bless``
    rewrites the baseline."""
    import sys

    report = run(SPLITS + FRESH + MORE)
    base_path = _baseline_path()
    baseline = json.loads(base_path.read_text(encoding="utf-8")) if base_path.exists() else None
    regressed = regressions(report, baseline)
    frozen = report["test_frozen"]["ok"]
    if getattr(args, "bless", False):
        base_path.write_text(json.dumps({"splits": report["splits"]}, indent=1, ensure_ascii=False) + "\n",
                             encoding="utf-8")
    if getattr(args, "json", False):
        sys.stdout.write(json.dumps({**report, "regressions": regressed}, ensure_ascii=False) + "\n")
    else:
        sys.stdout.write(table(report) + "\n")
        for line in regressed:
            sys.stdout.write(f"  REGRESSED {line}\n")
    if not frozen:
        sys.stderr.write("ipt: eval: the frozen test split changed (evals/signals/test.sha256 differs)\n")
    return 1 if regressed or not frozen else 0
