"""Adaptations on a fresh set of 100 snippets (evals/signals/adaptations_fresh/), written on 3 December 2026
by a writer who saw no code, to a brief naming the forms (someone else's age, the client's age in varied
forms, a teen age as history, obstetric shorthand and look-alikes, bipolar and IPSRT look-alikes). Its
failures have not been read: it checks whether the age and IPSRT rules generalise. Labels: the IPT
adaptations that apply to the client now (ipt_a, late_life, perinatal, ipsrt).

    python scripts/adaptations_fresh.py
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.assistant import Assistant
from assistant.signals import read_text

CATS = ("ipt_a", "late_life", "perinatal", "ipsrt")
DATA = Path(__file__).resolve().parents[1] / "evals" / "signals" / "adaptations_fresh" / "snippets.jsonl"


def main() -> None:
    catalog = Assistant().catalog
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    got = [read_text(r["text"], catalog=catalog).request.adaptations for r in rows]
    tp = fp = fn = 0
    for c in CATS:
        t = sum(c in r["adaptations"] and c in g for r, g in zip(rows, got))
        f = sum(c not in r["adaptations"] and c in g for r, g in zip(rows, got))
        n = sum(c in r["adaptations"] and c not in g for r, g in zip(rows, got))
        tp, fp, fn = tp + t, fp + f, fn + n
        p, rc = (t / (t + f) if t + f else 1.0), (t / (t + n) if t + n else 1.0)
        print(f"{c:10} P {p:.3f} R {rc:.3f} F1 {2 * p * rc / (p + rc) if p + rc else 0:.3f}")
    p, rc = tp / max(1, tp + fp), tp / max(1, tp + fn)
    exact = sum(set(r["adaptations"]) == {x for x in g if x in CATS} for r, g in zip(rows, got))
    print(f"micro F1 {2 * p * rc / (p + rc) if p + rc else 0:.3f} (P {p:.3f} R {rc:.3f}); exact sets {exact}/{len(rows)}")


if __name__ == "__main__":
    main()
