"""Risk on a fresh set of 60 snippets (evals/signals/risk_forms_fresh/), written on 3 December 2026 by a
writer who saw no code, to a brief naming six forms, ten snippets each, half with the client's risk and half
look-alikes without: a question asked and answered, an admission framed as a denial, "without" phrases,
"can't see the point" phrases, hopelessness or burdensomeness in plain words, and mixed denial and admission.
Its failures have not been read. Scored as `ask` reads (with the reader) and as the notes read (without it).

    python scripts/risk_forms_fresh.py
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.assistant import Assistant
from assistant.signals import analyse, read_text, risk_view

DATA = Path(__file__).resolve().parents[1] / "evals" / "signals" / "risk_forms_fresh" / "snippets.jsonl"


def main() -> None:
    catalog = Assistant().catalog
    rows = [json.loads(line) for line in DATA.read_text(encoding="utf-8").splitlines() if line.strip()]
    for mode in ("ask", "notes"):
        got = [read_text(r["text"], catalog=catalog).risk.is_risk if mode == "ask"
               else bool(risk_view(analyse(r["text"], catalog=catalog, reader=False)).present) for r in rows]
        labels = [r["risk"] == "present" for r in rows]
        hits = sum(g and lab for g, lab in zip(got, labels))
        alarms = sum(g and not lab for g, lab in zip(got, labels))
        right = sum(g == lab for g, lab in zip(got, labels))
        groups = [sum(g == lab for g, lab in list(zip(got, labels))[k:k + 10]) for k in range(0, len(rows), 10)]
        print(f"{mode:5} right {right}/{len(rows)}, recall {hits / max(1, sum(labels)):.2f}, "
              f"false alarms {alarms}/{len(rows) - sum(labels)}; right per group of ten: {groups}")


if __name__ == "__main__":
    main()
