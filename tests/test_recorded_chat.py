"""Replay of the chat turns recorded from a real local model through the agent
(``evals/recordings/<model>/chat/*.json``), without the model and without network.

The product's code (retrieval, tools, the agent loop, the checks) runs again; only the model's replies
come from the recording, in order. Each turn must end as it did when recorded (mode, flags, tools,
techniques, model calls), and whatever the model wrote, what is shown must never be a tool call, a JSON
blob, a copy of the context, a loop or a truncated answer."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from assistant.written import check_written, looks_like_tool_call, repeats_itself

RECORDINGS = Path(__file__).resolve().parents[1] / "evals" / "recordings"
TRANSCRIPTS = sorted(RECORDINGS.glob("*/chat/*.json"))


@pytest.mark.skipif(not TRANSCRIPTS, reason="no recorded chat transcripts")
@pytest.mark.parametrize("path", TRANSCRIPTS, ids=[f"{p.parents[1].name}/{p.name}" for p in TRANSCRIPTS])
def test_recorded_chat_turns_replay_as_recorded(path: Path):
    from assistant.evals.agent_recordings import replay_chat

    data = json.loads(path.read_text(encoding="utf-8"))
    assert len(data["turns"]) >= 5
    for rec_turn, turn, outcome in replay_chat(data):
        if rec_turn.get("superseded"):
            # The product's reading changed since the recording (the reason is written in the turn);
            # the model's replies for the new path were never recorded, so there is nothing to replay.
            continue
        recorded = rec_turn["outcome"]
        assert outcome["replayed_all"], f"{rec_turn['input']!r}: the replay did not use every recorded step"
        assert {k: outcome.get(k) for k in recorded} == recorded, rec_turn["input"]
        ans = turn.answer
        assert ans is not None
        if ans.mode == "llm":  # what the model wrote and the chat showed
            shown = ans.answer
            assert not looks_like_tool_call(shown.split("\n", 1)[-1])
            assert not {"truncated", "copied_context", "repetitive"} & set(outcome["flags"])
            assert check_written(shown, "", "stop").labels < 3 and not repeats_itself(shown)


def test_replay_needs_no_network(monkeypatch: pytest.MonkeyPatch):
    """The replay stands in for the model: any socket to a model endpoint would be a bug."""
    import socket

    if not TRANSCRIPTS:
        pytest.skip("no recorded chat transcripts")
    from assistant.evals.agent_recordings import replay_chat

    real = socket.socket.connect

    def refuse(self, address):  # noqa: ANN001
        raise AssertionError(f"network use during replay: {address!r}")

    monkeypatch.setattr(socket.socket, "connect", refuse)
    try:
        data = json.loads(TRANSCRIPTS[0].read_text(encoding="utf-8"))
        data["turns"] = data["turns"][:1]
        replay_chat(data)
    finally:
        monkeypatch.setattr(socket.socket, "connect", real)
