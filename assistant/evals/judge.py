"""Optional LLM judge with a versioned rubric (``prompts/judge_*_v1.md``).

Runs only when a judge endpoint is configured (``IPT_JUDGE_BASE_URL`` /
``IPT_JUDGE_MODEL`` / ``IPT_JUDGE_API_KEY``, else the main endpoint). Temperature 0;
the verdict is JSON that quotes evidence. A judge error is recorded as an error,
never as a pass or a fail.
"""

from __future__ import annotations

import json
import os
import re
from typing import Any, Callable

from ..config import Settings
from ..errors import EndpointError
from ..llm import ChatModel, OpenAICompatibleModel
from ..notes.render import FORMAT_NAMES
from ..prompts import JUDGE_ANSWER, JUDGE_NOTE, load_prompt

_JSON = re.compile(r"\{.*\}", re.S)


def parse_verdict(text: str) -> dict[str, Any]:
    """Extract and validate the judge's JSON verdict; raises ValueError if unusable."""
    m = _JSON.search(text or "")
    if not m:
        raise ValueError("no JSON object in the judge reply")
    data = json.loads(m.group(0))
    if data.get("verdict") not in ("pass", "fail"):
        raise ValueError("verdict must be 'pass' or 'fail'")
    if not isinstance(data.get("criteria", {}), dict):
        raise ValueError("criteria must be an object")
    if not isinstance(data.get("evidence", []), list):
        raise ValueError("evidence must be a list of quotes")
    return data


def judge_with(model: ChatModel) -> Callable[..., dict[str, Any]]:
    def judge(kind: str, case: Any, text: str, result: Any) -> dict[str, Any]:
        if kind == "answer":
            prompt = load_prompt(JUDGE_ANSWER)
            content = prompt.render(phase=result.phase or "unknown", focal_area=result.focal_area or "unknown",
                                    question=case.question, answer=text)
        else:
            prompt = load_prompt(JUDGE_NOTE)
            content = prompt.render(format_name=FORMAT_NAMES[case.format], bullets=case.bullets, note=text)
        try:
            reply = model.complete([{"role": "user", "content": content}], max_tokens=400, temperature=0.0)
            verdict = parse_verdict(reply.text)
        except (EndpointError, ValueError) as exc:
            return {"verdict": "error", "rubric": prompt.name, "rubric_sha": prompt.sha, "error": str(exc)}
        verdict.update({"rubric": prompt.name, "rubric_sha": prompt.sha, "judge_model": model.name})
        return verdict

    return judge


def make_judge(settings: Settings) -> Callable[..., dict[str, Any]] | None:
    base = os.environ.get("IPT_JUDGE_BASE_URL") or settings.base_url
    model = os.environ.get("IPT_JUDGE_MODEL") or settings.model
    key = os.environ.get("IPT_JUDGE_API_KEY") or settings.api_key
    if not (base or key) or not model:
        return None
    judge_settings = settings.model_copy(update={"base_url": base, "model": model, "api_key": key, "offline": False})
    return judge_with(OpenAICompatibleModel(judge_settings))
