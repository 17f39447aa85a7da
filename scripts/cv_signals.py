"""The whole signal layer cross-validated on the dev split: each dev snippet is read with the probe
that was trained without it (the five fold probes ``train_signals.py --folds-dir DIR`` saves), with the
thresholds in thresholds.yaml. The dev figures of ``ipt eval --suite signals`` are in-sample (the
shipped probe was trained on dev); these are not, so rules and thresholds can be tuned on them without
reading the test split.

    python scripts/train_signals.py --folds-dir /tmp/folds && python scripts/cv_signals.py /tmp/folds
"""

from __future__ import annotations

import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.evals import signal_suite  # noqa: E402
from assistant.signals import probe as probe_module  # noqa: E402


def main(argv: list[str]) -> int:
    folds = sorted(Path(argv[0]).glob("fold*.npz"))
    if not folds:
        print(f"no fold probes in {argv[0]}: run scripts/train_signals.py --folds-dir {argv[0]}", file=sys.stderr)
        return 2
    rows = {r["id"]: r for r in signal_suite.load_split("dev")}
    ordered, preds = [], []
    for path in folds:
        fold = probe_module.Probe.load(path)
        with np.load(path, allow_pickle=False) as data:
            ids = [str(i) for i in data["rows"]]
        original = probe_module.get_probe
        probe_module.get_probe = lambda fold=fold: fold  # type: ignore[assignment]  # analyse() imports it per call
        try:
            for i in (i for i in ids if i in rows):  # the folds hold training snippets too
                ordered.append(rows[i])
                preds.append(signal_suite.predict(rows[i]["text"]))
        finally:
            probe_module.get_probe = original  # type: ignore[assignment]
    report = signal_suite.score(ordered, preds)
    print(f"dev, cross-validated (n={report['n']})")
    for name, key, target in signal_suite.HEADLINE:
        value = signal_suite._get(report, key)
        print(f"  {name:40} {value:.3f}   target {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
