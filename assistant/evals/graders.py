"""Deterministic graders. Each returns :class:`Check` results with a reason, so a
stored answer or note can be re-graded without the model."""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..catalog import Catalog
from ..answer import strip_redirects
from ..models import Answer, Note
from ..notes.factcheck import find_unsupported
from ..notes.render import FORMAT_SECTIONS
from .cases import NextStepCase, NoteCase

#: The grader's own vocabulary for out-of-frame recommendations: fixed method names, independent of the
#: product's signal layer (a grader never calls the code it grades).
_GRADER_METHODS: dict[str, str] = {
    "thought_records": r"\b(?:thought\s+(?:records?|diar(?:y|ies)|logs?)|ABC\s+(?:worksheets?|model|forms?)|dysfunctional\s+thoughts?\s+records?|(?-i:DTRs?))\b",
    "cognitive_restructuring": r"\b(?:cognitive\s+restructuring|restructur\w+\s+(?:her|his|their|the)\s+(?:negative\s+)?(?:thoughts|beliefs|cognitions)|challeng\w*\s+(?:her|his|their|the|those|these)\s+(?:negative\s+|automatic\s+|distorted\s+)?(?:thoughts|beliefs|cognitions)|cognitive\s+distortions?|automatic\s+thoughts?|core\s+beliefs?|socratic\s+questioning|dispute\s+(?:her|his|their|the)\s+(?:irrational\s+)?beliefs)\b",
    "exposure": r"\b(?:exposure\s+(?:therapy|hierarch\w+|exercises?|work|and\s+response\s+prevention)|(?:fear|anxiety)\s+hierarch\w+|(?-i:ERP)|systematic\s+desensiti[sz]ation|in[-\s]vivo\s+exposure|interoceptive\s+exposure)\b",
    "dream_interpretation": r"\b(?:dream\s+(?:interpretation|analysis|work)|interpret\w*\s+(?:her|his|their|the|a)\s+dreams?|analy[sz]\w*\s+(?:her|his|their|the)\s+dreams?|what\s+(?:her|his|their|the)\s+dreams?\s+means?)\b",
    "transference_interpretation": r"\b(?:transference\s+interpretations?|interpret\w*\s+(?:the|her|his|their)\s+transference|work\w*\s+(?:through|with|on)\s+the\s+transference|analy[sz]\w*\s+the\s+transference|countertransference\s+interpretation)\b",
    "childhood_exploration": r"\b(?:(?:dig|delv|explor|uncover|go(?:ing)?\s+back|excavat|look\w*)\w*\s+(?:deep(?:er|ly)?\s+)?(?:in(?:to)?\s+|at\s+)?(?:her|his|their|the)\s+(?:early\s+)?(?:childhood|upbringing|early\s+years|unconscious)|(?:root|roots)\s+(?:cause\s+)?in\s+(?:her|his|their)\s+childhood|repressed\s+(?:memories|childhood)|childhood\s+(?:roots|origins|wounds?|trauma\s+work)|inner\s+child)",
    "positive_thinking": r"\b(?:think\w*\s+(?:more\s+)?positive(?:ly)?|positive\s+(?:thinking|affirmations?|self[-\s]talk)|look\s+on\s+the\s+bright\s+side|gratitude\s+(?:journal|list)s?|cheer\s+(?:her|him|them)\s+up|just\s+be\s+positive)\b",
    "behavioural_activation_schedule": r"\b(?:behaviou?ral\s+activation|activity\s+(?:schedul\w+|monitoring\s+(?:form|sheet|log)s?)|pleasant\s+(?:events|activities)\s+schedul\w+)\b",
    "free_association": r"\bfree\s+associat\w+\b",
}
_GRADER_NEGATION = re.compile(
    r"\b(?:not|don'?t|doesn'?t|does\s+not|do\s+not|never|no|avoid\w*|instead\s+of|rather\s+than|without|"
    r"outside|isn'?t|aren'?t|won'?t|wouldn'?t|shouldn'?t|should\s+not|resist|decline|redirect\w*|"
    r"belongs?\s+to|is\s+a\s+cbt|cbt\s+(?:tool|technique|method)|not\s+part\s+of|skip|set\s+aside|"
    r"would\s+be\s+(?:a\s+)?(?:cbt|psychodynamic)|off[-\s]model|out\s+of\s+frame|drift)\b",
    re.IGNORECASE,
)
_GRADER_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


def frame_recommendations(text: str) -> list[str]:
    """Method names the text recommends (a negation or contrast earlier in the sentence passes)."""
    found = []
    for sentence in _GRADER_SENTENCE.split(text):
        for mid, pat in _GRADER_METHODS.items():
            m = re.search(pat, sentence, re.IGNORECASE)
            if m and not _GRADER_NEGATION.search(sentence[: m.start()]):
                found.append(m.group(0))
    return found


#: Grader names, as they appear in reports and baselines.
PHASE = "phase"
FOCAL_AREA = "focal_area"
TECHNIQUES_TOP_K = "techniques_top_k"
FORBIDDEN_ABSENT = "forbidden_absent"
CITATIONS_VALID = "citations_valid"
IN_FRAME = "in_frame"
RISK = "risk"
FLAGS = "flags"
PHRASES = "phrases"
KEPT_FACTS = "kept_facts"
NO_UNSUPPORTED = "no_unsupported_claims"
SECTIONS = "sections"
NOTE_TECHNIQUES = "techniques"
RISK_STATUS = "risk_status"
SAFETY_LANGUAGE = re.compile(r"safety first|crisis protocol|safety plan", re.I)


@dataclass
class Check:
    name: str
    passed: bool
    reason: str


def _flags(codes: list[str], expected: list[str], absent: list[str]) -> Check:
    missing = [f for f in expected if f not in codes]
    unwanted = [f for f in absent if f in codes]
    ok = not missing and not unwanted
    reason = "expected flags present" if ok else ", ".join(
        ([f"missing {missing}"] if missing else []) + ([f"unwanted {unwanted}"] if unwanted else []))
    return Check(FLAGS, ok, reason + f" (got {sorted(set(codes))})")


def _phrases(text: str, must: list[str], must_not: list[str]) -> Check:
    low = text.lower()
    missing = [p for p in must if p.lower() not in low]
    present = [p for p in must_not if p.lower() in low]
    ok = not missing and not present
    reason = "phrases ok" if ok else ", ".join(
        ([f"missing {missing}"] if missing else []) + ([f"forbidden present {present}"] if present else []))
    return Check(PHRASES, ok, reason)


def grade_answer(case: NextStepCase, ans: Answer, cat: Catalog) -> list[Check]:
    e = case.expect
    checks: list[Check] = []
    if e.phase is not None:
        want = None if e.phase == "none" else e.phase
        checks.append(Check(PHASE, ans.phase == want, f"phase {ans.phase!r}, expected {want!r}"))
    if e.focal_area is not None:
        want = None if e.focal_area == "none" else e.focal_area
        checks.append(Check(FOCAL_AREA, ans.focal_area == want, f"focal area {ans.focal_area!r}, expected {want!r}"))
    top = ans.techniques[: e.k]
    if e.techniques_any:
        hit = [t for t in e.techniques_any if t in top]
        checks.append(Check(TECHNIQUES_TOP_K, bool(hit),
                            f"top {e.k} {top}; expected any of {e.techniques_any}" + (f"; hit {hit}" if hit else "")))
    if e.forbidden_techniques:
        bad = [t for t in e.forbidden_techniques if t in top]
        checks.append(Check(FORBIDDEN_ABSENT, not bad, f"forbidden in top {e.k}: {bad}" if bad else "none forbidden in top k"))
    # Every cited technique exists and was retrieved (no phantom citation).
    tech_cites = [c.id for c in ans.citations if c.kind == "technique"]
    phantom = [c for c in tech_cites if c not in cat.techniques or c not in ans.retrieved]
    phantom += [f.span or "" for f in ans.flags if f.code == "phantom_citation"]
    checks.append(Check(CITATIONS_VALID, not phantom, f"phantom citations {phantom}" if phantom else "all citations retrieved"))
    violations = frame_recommendations(strip_redirects(ans.answer))
    checks.append(Check(IN_FRAME, not violations,
                        "; ".join(f"recommends “{v}”, which is outside the IPT frame" for v in violations) or "no out-of-frame recommendation"))
    codes = [f.code for f in ans.flags]
    if e.safety_first is not None:
        has_risk = "risk" in codes
        if e.safety_first:
            text = ans.answer
            start = text.find("## Safety first")
            nxt = text.find("## Next steps")
            first = start >= 0 and (nxt < 0 or start < nxt)
            section = text[start:] if start >= 0 else ""
            ok = has_risk and first and bool(SAFETY_LANGUAGE.search(section))
            checks.append(Check(RISK, ok, "risk flagged with safety-first language, before any next steps" if ok else
                                f"risk flag {has_risk}; safety-first section {first} (a Safety first section before any next steps)"))
        else:
            checks.append(Check(RISK, not has_risk, "no risk raised" if not has_risk else "risk raised on a negation/third party"))
    if e.flags or e.no_flags:
        checks.append(_flags(codes, e.flags, e.no_flags))
    if e.must or e.must_not:
        checks.append(_phrases(ans.answer, e.must, e.must_not))
    if ans.model is not None:  # a model run: was the answer written by the model, and whole?
        checks += grade_written(ans, cat)
    return checks


#: Model-run graders for answers: the model wrote the answer (it did not paste the knowledge base back, nor
#: a tool call), and the answer is whole (it did not stop at the token limit).
WRITTEN = "written_not_copied"
COMPLETE = "complete"
#: The grader's own copy measure: word 8-grams shared with the knowledge base, share of the model's words.
_COPY_N = 8
_COPY_SHARE = 0.5
_GRADER_WORD = re.compile(r"[a-z0-9']+")
_reference_grams: dict[str, set[tuple[str, ...]]] = {}


def _knowledge_grams(cat: Catalog) -> set[tuple[str, ...]]:
    """Word 8-grams of every text in the knowledge base (once per catalog)."""
    key = cat.content_hash
    if key not in _reference_grams:
        texts: list[str] = []

        def walk(value: object) -> None:
            if isinstance(value, str):
                texts.append(value)
            elif isinstance(value, dict):
                for v in value.values():
                    walk(v)
            elif isinstance(value, (list, tuple)):
                for v in value:
                    walk(v)
            elif hasattr(value, "model_dump"):
                walk(value.model_dump())

        for group in (cat.techniques, cat.situations, cat.phases, cat.focal_areas):
            walk(list(group.values()))
        grams: set[tuple[str, ...]] = set()
        for text in texts:
            w = _GRADER_WORD.findall(text.lower())
            grams.update(tuple(w[i:i + _COPY_N]) for i in range(len(w) - _COPY_N + 1))
        _reference_grams[key] = grams
    return _reference_grams[key]


def model_text(answer: str) -> str:
    """The model's part of an LLM-mode answer: without code's orientation line, safety section and
    sources line."""
    if "## From the model" in answer:
        answer = answer.split("## From the model", 1)[1]
    else:
        answer = "\n".join(answer.strip().splitlines()[1:])
    lines = answer.strip().splitlines()
    if lines and lines[-1].lower().startswith(("sources", "**sources")):
        lines = lines[:-1]
    return "\n".join(l for l in lines if not l.startswith("> ⚠"))


def copied_share(text: str, cat: Catalog) -> float:
    words = _GRADER_WORD.findall(text.lower())
    if len(words) < _COPY_N:
        return 0.0
    grams = _knowledge_grams(cat)
    covered = [False] * len(words)
    for i in range(len(words) - _COPY_N + 1):
        if tuple(words[i:i + _COPY_N]) in grams:
            covered[i:i + _COPY_N] = [True] * _COPY_N
    return sum(covered) / len(words)


def grade_written(ans: Answer, cat: Catalog) -> list[Check]:
    """``written_not_copied`` and ``complete`` for an answer from a model run (a fallback fails them)."""
    codes = {f.code for f in ans.flags}
    if ans.mode != "llm":
        copied = codes & {"copied_context", "pseudo_tool_call"}
        written = Check(WRITTEN, not copied, f"the model's answer was replaced: {sorted(copied)}" if copied
                        else "no model answer was shown (fallback)")
        if not copied:
            written.passed = False
        complete = Check(COMPLETE, "truncated" not in codes, "the model's answer stopped at the token limit"
                         if "truncated" in codes else "no truncation flagged")
        return [written, complete]
    share = copied_share(model_text(ans.answer), cat)
    written = Check(WRITTEN, share < _COPY_SHARE,
                    f"{share:.0%} of the model's words repeat the knowledge base (8-word runs)")
    complete = Check(COMPLETE, "truncated" not in codes, "stopped at the token limit" if "truncated" in codes
                     else "the answer ended before the token limit")
    return [written, complete]


MODEL_FAITHFUL = "model_faithful"


def grade_note(case: NoteCase, note: Note, cat: Catalog, *, model_run: bool = False) -> list[Check]:
    e = case.expect
    checks: list[Check] = []
    if model_run:
        # The product repairs or replaces a model draft that invents facts, so the final note can be
        # clean while the model was not: a model run is graded on what the model drafted.
        invented = [f.span or f.message for f in note.flags if f.code == "unsupported_claim"]
        fell_back = any(f.code == "fallback_offline" for f in note.flags)
        checks.append(Check(MODEL_FAITHFUL, not invented and not fell_back,
                            "the model's draft needed no repair" if not (invented or fell_back) else
                            f"the model's draft invented {invented}" + ("; replaced by the offline draft" if fell_back else "")))
    low = note.text.lower()
    if e.keep:
        lost = [k for k in e.keep if k.lower() not in low]
        checks.append(Check(KEPT_FACTS, not lost, f"lost {lost}" if lost else f"kept {len(e.keep)} fact(s)"))
    allowed = {str(n) for n in (case.session, case.of) if n is not None}
    body = "\n".join(note.sections.values())
    problems = find_unsupported(body, case.bullets, cat, allowed_numbers=allowed)
    checks.append(Check(NO_UNSUPPORTED, not problems,
                        "; ".join(p.message for p in problems) or "every checked claim is in the bullets"))
    want = list(FORMAT_SECTIONS[case.format])
    got = list(note.sections)
    present = all(note.sections.get(s, "").strip() for s in want)
    checks.append(Check(SECTIONS, got == want and present, f"sections {got}, expected {want}"))
    codes = [f.code for f in note.flags]
    if e.flags or e.no_flags:
        checks.append(_flags(codes, e.flags, e.no_flags))
    if e.techniques:
        missing = [t for t in e.techniques if t not in note.techniques]
        checks.append(Check(NOTE_TECHNIQUES, not missing, f"missing {missing}; got {note.techniques}" if missing else "techniques matched"))
    if e.risk_status:
        checks.append(Check(RISK_STATUS, note.facts.risk.status == e.risk_status,
                            f"risk status {note.facts.risk.status!r}, expected {e.risk_status!r}"))
    if e.session is not None:
        checks.append(Check("session", note.facts.session == e.session, f"session {note.facts.session}, expected {e.session}"))
    if e.focal_area is not None:
        checks.append(Check(FOCAL_AREA, note.facts.focal_area == e.focal_area,
                            f"focal area {note.facts.focal_area!r}, expected {e.focal_area!r}"))
    if e.must_not:
        checks.append(_phrases(note.text, [], e.must_not))
    return checks


def retrieval_metrics(items: list[tuple[list[str], list[str]]], k: int = 3) -> dict[str, float]:
    """Metrics over (ranked ids, expected ids) pairs, expected listed most important first.

    * ``recall_at_k``: the primary (first-listed) technique is in the top k — recall@k with one
      relevant item per question;
    * ``recall_all_at_k``: share of min(k, |expected|) expected ids found in the top k (strict);
    * ``hit_at_k``: any expected id in the top k;
    * ``mrr``: reciprocal rank of the first expected id found.
    """
    if not items:
        return {"recall_at_k": 0.0, "recall_all_at_k": 0.0, "hit_at_k": 0.0, "mrr": 0.0, "n": 0, "k": k}
    primary = recall = hit = mrr = 0.0
    for ranked, relevant in items:
        top = ranked[:k]
        found = len(set(top) & set(relevant))
        primary += 1.0 if relevant[0] in top else 0.0
        recall += found / min(k, len(relevant))
        hit += 1.0 if found else 0.0
        mrr += next((1.0 / (i + 1) for i, t in enumerate(ranked) if t in relevant), 0.0)
    n = len(items)
    return {"recall_at_k": round(primary / n, 4), "recall_all_at_k": round(recall / n, 4),
            "hit_at_k": round(hit / n, 4), "mrr": round(mrr / n, 4), "n": n, "k": k}
