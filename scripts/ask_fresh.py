"""The offline answer on fresh clinicians' questions (evals/ask_fresh/*.jsonl, see its LABELS.md), graded by the
labels only: does the answer put safety first (or prompt asking) when the question describes risk, and not when it
does not; does it flag an out-of-frame request; does it keep role play out of the first two techniques when the
partner is violent. Each file is scored on its own; odd ids were read while tuning, even ids never were.

    python scripts/ask_fresh.py [-v]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

from assistant import Assistant

DIR = Path(__file__).resolve().parents[1] / "evals" / "ask_fresh"


def main() -> None:
    verbose = "-v" in sys.argv
    a = Assistant(offline=True)
    for path in sorted(DIR.glob("*.jsonl")):
        print(path.name)
        _score(a, [json.loads(x) for x in path.read_text(encoding="utf-8").splitlines() if x.strip()], verbose)


def _score(a: Assistant, rows: list[dict], verbose: bool) -> None:
    for half, parity in (("read", 1), ("never read", 0)):
        tally = {"risk caught": [0, 0], "risk false alarms": [0, 0], "out-of-frame flagged": [0, 0],
                 "out-of-frame false alarms": [0, 0], "role play first with a violent partner": [0, 0]}
        for r in rows:
            if int(r["id"].rsplit("-", 1)[1]) % 2 != parity:
                continue
            ans = a.ask(r["question"])
            safety = ans.has_flag("risk") or ans.has_flag("risk_unasked")
            oof = ans.has_flag("out_of_frame_request")
            key = "risk caught" if r["risk"] else "risk false alarms"
            tally[key][0] += safety
            tally[key][1] += 1
            key = "out-of-frame flagged" if r["out_of_frame"] else "out-of-frame false alarms"
            tally[key][0] += oof
            tally[key][1] += 1
            if r["violent_partner"]:
                tally["role play first with a violent partner"][0] += "role_play" in ans.techniques[:2]
                tally["role play first with a violent partner"][1] += 1
            if verbose and parity == 1 and (safety != r["risk"] or oof != r["out_of_frame"]):
                print(f"  {r['id']}: risk {r['risk']} -> {safety}, out of frame {r['out_of_frame']} -> {oof}")
        print(f"{half:10} " + ", ".join(f"{k} {n}/{d}" for k, (n, d) in tally.items()))


if __name__ == "__main__":
    main()
