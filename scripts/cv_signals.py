"""The whole signal layer cross-validated on the dev split: each dev snippet is read with the probe
that was trained without it (the five fold probes ``train_signals.py --folds-dir DIR`` saves), with the
thresholds in thresholds.yaml. The dev figures of ``ipt eval --suite signals`` are in-sample (the
shipped probe was trained on dev); these are not, so rules and thresholds can be tuned on them without
reading the test split.

    python scripts/train_signals.py --folds-dir /tmp/folds && python scripts/cv_signals.py /tmp/folds

The reader (assistant/signals/reader.py) is cross-validated the same way when the folder also holds its
out-of-fold scores, ``reader{K}.json`` (``python scripts/train_reader.py --fold K --folds-dir DIR
DIR/readerK.json``): each dev snippet is then read by the reader trained without it. Without them the
reader is switched off here, and the figures are the rules' and probes' alone.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from assistant.evals import signal_suite  # noqa: E402
from assistant.signals import probe as probe_module  # noqa: E402
from assistant.signals import reader as reader_module  # noqa: E402
from assistant.signals.detect import normalise_text  # noqa: E402


class FoldReader:
    """A fold's out-of-fold reader scores, looked up by the unit's text (a dev snippet is one unit)."""

    def __init__(self, scores: dict[str, dict], rows: dict[str, dict]) -> None:
        self.table = {normalise_text(rows[i]["text"]).strip(): v for i, v in scores.items() if i in rows}

    def prefetch(self, texts: list[str]) -> None:
        pass  # the scores are a table lookup

    def read(self, texts: list[str]) -> list[reader_module.ReaderScores]:
        out = []
        for t in texts:
            d = self.table.get(t.strip())
            if d is None:  # not a whole snippet: no opinion (between the thresholds)
                out.append(reader_module.ReaderScores(0.5, 0.5, 0.5, 0.5, dict.fromkeys(reader_module.ASSERTION_CLASSES, 0.0)))
                continue
            dist = {None if k == "None" else k: v for k, v in d["assertion"].items()}
            out.append(reader_module.ReaderScores(d["current"], d["stated"], d["topic"], d["frame"], dist))
        return out


def main(argv: list[str]) -> int:
    folds = sorted(Path(argv[0]).glob("fold*.npz"))
    if not folds:
        print(f"no fold probes in {argv[0]}: run scripts/train_signals.py --folds-dir {argv[0]}", file=sys.stderr)
        return 2
    rows = {r["id"]: r for r in signal_suite.load_split("dev")}
    with_reader = all((p.parent / f"reader{p.stem[4:]}.json").exists() for p in folds)
    original_reader = reader_module.get_reader
    ordered, preds = [], []
    for path in folds:
        fold = probe_module.Probe.load(path)
        with np.load(path, allow_pickle=False) as data:
            ids = [str(i) for i in data["rows"]]
        original = probe_module.get_probe
        probe_module.get_probe = lambda fold=fold: fold  # type: ignore[assignment]  # analyse() imports it per call
        scores = json.loads((path.parent / f"reader{path.stem[4:]}.json").read_text()) if with_reader else None
        reader_module.get_reader = (lambda r=FoldReader(scores, rows): r) if scores else (lambda: None)  # type: ignore[assignment]
        try:
            for i in (i for i in ids if i in rows):  # the folds hold training snippets too
                ordered.append(rows[i])
                preds.append(signal_suite.predict(rows[i]["text"]))
        finally:
            probe_module.get_probe = original  # type: ignore[assignment]
            reader_module.get_reader = original_reader  # type: ignore[assignment]
    report = signal_suite.score(ordered, preds)
    print(f"dev, cross-validated (n={report['n']}), reader {'cross-validated' if with_reader else 'off'}")
    for name, key, target in signal_suite.HEADLINE:
        value = signal_suite._get(report, key)
        print(f"  {name:40} {value:.3f}   target {target}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
