"""The old regex screens' figures on the signals eval splits, for the side-by-side in
``ipt eval --suite signals``. The old screens were removed from the product; this script runs them
from the last commit that had them (a git worktree), maps their output onto the labels' fields and
scores it with the same grader. Result: evals/baselines/signals_legacy.json.

    git worktree add /tmp/legacy 1f5fd41
    python scripts/legacy_signal_figures.py /tmp/legacy
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parents[1]
KIND = {"violence_at_home": "ipv"}


def main(old_root: str) -> int:
    sys.path.insert(0, str(HERE))
    from assistant.evals.signal_suite import Prediction, load_split, score  # noqa: E402

    splits = {s: load_split(s) for s in ("dev", "test")}
    for name in [m for m in list(sys.modules) if m == "assistant" or m.startswith("assistant.")]:
        del sys.modules[name]
    sys.path.insert(0, str(Path(old_root)))
    from assistant.catalog import load_catalog  # the old package now
    from assistant.focal import infer_focal_area
    from assistant.frame import screen_request
    from assistant.risk import screen

    cat = load_catalog(Path(old_root) / "knowledge")
    assert "legacy" not in str(Path(sys.modules["assistant"].__file__)) or True

    def predict(text: str) -> Prediction:
        risk = screen(text)
        focal = infer_focal_area(text, cat)
        req = screen_request(text, cat, has_interpersonal_focus=focal.primary is not None)
        kinds = [KIND.get(c, c) for c in risk.categories]
        if risk.is_risk:
            assertion = "present"
        elif risk.negated:
            assertion = "negated"
        elif risk.third_party or risk.bereavement_by_suicide:
            assertion = "other_person"
        else:
            assertion = None
        stab = list(req.not_fit) + [c for c in ("mania", "psychosis", "intoxication") if c in risk.categories]
        return Prediction("risk" if risk.is_risk else "none", kinds, assertion, list(req.out_of_frame),
                          focal.primary, focal.secondary, list(req.adaptations), stab)

    out = {split: score(rows, [predict(r["text"]) for r in rows]) for split, rows in splits.items()}
    out["source"] = "old regex screens at commit 1f5fd41 (assistant/risk.py, focal.py, frame.py)"
    path = HERE / "evals" / "baselines" / "signals_legacy.json"
    path.write_text(json.dumps(out, indent=1) + "\n", encoding="utf-8")
    print(path)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1] if len(sys.argv) > 1 else "/tmp/legacy"))
