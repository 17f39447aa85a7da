"""Out-of-frame requests on a fresh set of 160 snippets (evals/signals/frame_fresh_read/ and
frame_fresh_held/), written on 4 December 2026 by a writer who read only evals/signals/LABELS.md: 80 that ask
for, propose or use a method outside IPT (all 13 methods, mostly in plain words), 80 look-alikes (IPT work
that sounds similar, methods only in past therapy, rejected or refused, the client's own activity, figures of
speech). Split by id: odd ids in frame_fresh_read/ (read while building the stance reading), even ids in
frame_fresh_held/ (never read). Scored with the labels only, through the product's own reading of a snippet.

    python scripts/frame_fresh.py
"""

from __future__ import annotations

import json
from pathlib import Path

from assistant.assistant import Assistant
from assistant.evals import signal_suite as ss

ROOT = Path(__file__).resolve().parents[1] / "evals" / "signals"


def main() -> None:
    catalog = Assistant().catalog
    for split in ("frame_fresh_read", "frame_fresh_held"):
        rows = [json.loads(x) for x in (ROOT / split / "snippets.jsonl").read_text(encoding="utf-8").splitlines() if x.strip()]
        preds = [ss.predict(r["text"], catalog) for r in rows]
        m = ss.score(rows, preds)["out_of_frame"]
        asked = [bool(r["out_of_frame"]) for r in rows]
        said = [bool(p.out_of_frame) for p in preds]
        flagged = sum(a and s for a, s in zip(asked, said))
        alarms = sum(s and not a for a, s in zip(asked, said))
        print(f"{split:17} methods: recall {m['recall']:.3f} precision {m['precision']:.3f} F1 {m['f1']:.3f} "
              f"(tp {m['tp']} fp {m['fp']} fn {m['fn']}); snippets: requests flagged {flagged}/{sum(asked)}, "
              f"look-alikes flagged {alarms}/{len(rows) - sum(asked)}")


if __name__ == "__main__":
    main()
