"""The IPT frame, held by code.

* :func:`screen_request` — out-of-frame requests (thought records, dream
  interpretation, digging into childhood, ...), presentations that are not an
  IPT fit (panic/OCD/phobia with no interpersonal trigger, trauma needing
  trauma-focused work, severe substance dependence) and adaptations (IPT-A,
  perinatal, late life, IPSRT, group, eating disorders).
* :func:`check_text` — flags a generated answer that recommends an out-of-frame
  method, or scores or diagnoses the client. Negation and contrast pass:
  "IPT does not use thought records" is fine.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .catalog import Catalog
from .models import Flag

_I = re.IGNORECASE

#: Detection patterns for the out-of-frame methods described in knowledge/frame.yaml.
OUT_OF_FRAME_PATTERNS: dict[str, str] = {
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
_NOT_FIT_PATTERNS: dict[str, str] = {
    "anxiety_without_interpersonal_trigger": r"\b(?:panic\s+(?:attacks?|disorder)|OCD|obsessive[-\s]compulsive|compulsions?|(?:checking|washing|counting|cleaning)\s+rituals?|specific\s+phobia|phobia\s+of|\w+\s+phobia|phobic|afraid\s+of\s+(?:flying|spiders|heights|dogs|needles|elevators))\b",
    "trauma_focused_needed": r"\b(?:PTSD|post[-\s]?traumatic|flashbacks?|nightmares\s+about\s+the\s+(?:assault|attack|accident|rape)|re-?experienc\w+\s+the\s+(?:assault|attack|trauma))\b",
    "severe_substance_dependence": r"\b(?:alcohol\s+(?:dependence|use\s+disorder)|drink(?:s|ing)\s+(?:heavily\s+)?every\s+(?:day|night|morning)|(?:a|one|two)\s+(?:bottle|fifth)\s+(?:of\s+\w+\s+)?a\s+day|(?:\w+\s+){0,3}(?:beers?|drinks|glasses\s+of\s+wine|bottles?\s+of\s+wine|shots)\s+(?:every|each|a)\s+(?:day|night)|heroin|fentanyl|opioid\s+(?:dependence|use\s+disorder)|using\s+(?:meth|cocaine|crack)\s+daily|detox)\b",
}
_INTERPERSONAL_TRIGGER = re.compile(
    r"\b(?:since|after|when|started\s+when|began\s+(?:after|when)|triggered\s+by|around\s+the\s+time)\b[^.]*\b(?:"
    r"husband|wife|partner|boyfriend|girlfriend|mother|father|son|daughter|friend|boss|divorce|separat\w+|"
    r"breakup|break-up|died|death|moved|retire\w*|baby|marriage|married|fight|argument|job|family)",
    _I,
)
_NEGATION = re.compile(
    r"\b(?:not|don'?t|doesn'?t|does\s+not|do\s+not|never|no|avoid\w*|instead\s+of|rather\s+than|without|"
    r"outside|isn'?t|aren'?t|won'?t|wouldn'?t|shouldn'?t|should\s+not|resist|decline|redirect\w*|"
    r"belongs?\s+to|is\s+a\s+cbt|cbt\s+(?:tool|technique|method)|not\s+part\s+of|skip|set\s+aside|"
    r"would\s+be\s+(?:a\s+)?(?:cbt|psychodynamic)|off[-\s]model|out\s+of\s+frame|drift)\b",
    _I,
)
_SCORING = re.compile(
    r"\b(?:(?:is|at|as|presents?\s+(?:as|at))\s+(?:low|moderate|medium|high|imminent|severe)\s+risk|risk\s+(?:level|score|rating)\s*(?:is\b|[:=]\s*(?=\w))|"
    r"(?:meets|meet)\s+criteria\s+for|(?:she|he|they|client|patient)\s+(?:has|suffers\s+from)\s+(?:bipolar|borderline|"
    r"major\s+depressive|schizo\w+|bpd|ptsd|an?\s+\w+\s+disorder))\b",
    _I,
)
_SENTENCE = re.compile(r"(?<=[.!?])\s+|\n+")


@dataclass
class RequestScreen:
    out_of_frame: list[str] = field(default_factory=list)  # method ids
    not_fit: list[str] = field(default_factory=list)  # stabilise_first ids
    adaptations: list[str] = field(default_factory=list)  # adaptation ids
    spans: dict[str, str] = field(default_factory=dict)


_NEGATION_AFTER = re.compile(
    r"^[^.;]{0,40}?\b(?:(?:is|are)\s+not\s+(?:part\s+of|used\s+in|an?\s+ipt)|(?:is|are)n'?t\s+(?:part\s+of|used\s+in)|"
    r"belongs?\s+to\s+(?:cbt|another|other|psychodynamic)|(?:are|is)\s+(?:a\s+)?(?:cbt|psychodynamic)\s+(?:tool|technique|method)s?|"
    r"(?:lie|lies|fall|falls|sit|sits)\s+outside|outside\s+(?:the\s+)?ipt)",
    re.IGNORECASE,
)


def _negated_in_sentence(sentence: str, start: int, end: int | None = None) -> bool:
    """Negation or contrast before the match, or a disclaimer right after it
    ("Thought records are not part of IPT")."""
    if _NEGATION.search(sentence[:start]):
        return True
    return end is not None and bool(_NEGATION_AFTER.search(sentence[end:]))


def _sentences(text: str) -> list[str]:
    return [s for s in _SENTENCE.split(text) if s.strip()]


def screen_request(text: str, catalog: Catalog, *, has_interpersonal_focus: bool) -> RequestScreen:
    """What a clinician's question asks for that needs the frame held."""
    out = RequestScreen()
    for sentence in _sentences(text):
        for mid, pat in OUT_OF_FRAME_PATTERNS.items():
            m = re.search(pat, sentence, _I)
            if m and mid not in out.out_of_frame:
                # "without thought records" still asks about the frame; only a clear
                # statement that it is not wanted ("I don't want CBT thought records") is skipped.
                if re.search(r"\b(?:don'?t|do\s+not)\s+want\b", sentence[: m.start()], _I):
                    continue
                out.out_of_frame.append(mid)
                out.spans[mid] = m.group(0)
    trigger = has_interpersonal_focus or bool(_INTERPERSONAL_TRIGGER.search(text))
    for sid, pat in _NOT_FIT_PATTERNS.items():
        m = re.search(pat, text, _I)
        if not m:
            continue
        if sid == "anxiety_without_interpersonal_trigger" and trigger:
            continue
        if _NEGATION.search(text[max(0, m.start() - 40) : m.start()]):
            continue  # "no panic attacks", "not OCD"
        out.not_fit.append(sid)
        out.spans[sid] = m.group(0)
    low = text.lower()
    for ad in catalog.frame.adaptations:
        for cue in ad.cues:
            m = re.search(rf"(?<![a-z]){re.escape(cue.lower())}", low)
            if m and not _about_someone_else(low, m.start(), m.end()):
                out.adaptations.append(ad.id)
                out.spans[ad.id] = cue
                break
    return out


_OTHER_PERSON = re.compile(r"\b(?:her|his|their|my)\s+(?:\w+\s+)?$")
_RELATIVE_AFTER = re.compile(r"^\S*\s+(?:son|daughter|child|kids?|brother|sister|mother|father|mom|mum|dad|parents?|"
                             r"grand\w+|niece|nephew|friend|partner|husband|wife)\b")


def _about_someone_else(low: str, start: int, end: int) -> bool:
    """ "her teenage son", "their mother's nursing home": the cue describes another person."""
    return bool(_OTHER_PERSON.search(low[max(0, start - 25):start]) and _RELATIVE_AFTER.search(low[start:start + 40])) \
        or bool(re.search(r"(?:mother|father|mom|mum|dad|parent|grand\w+)'s\s+$", low[max(0, start - 25):start]))


def _name(catalog: Catalog, entry_id: str) -> str:
    entry = catalog.frame_entries.get(entry_id)
    return entry.name if entry else entry_id.replace("_", " ")


def check_text(text: str, catalog: Catalog) -> list[Flag]:
    """Frame violations in generated text: out-of-frame methods recommended, risk scored, client diagnosed."""
    flags: list[Flag] = []
    for sentence in _sentences(text):
        for mid, pat in OUT_OF_FRAME_PATTERNS.items():
            m = re.search(pat, sentence, _I)
            if m and not _negated_in_sentence(sentence, m.start(), m.end()):
                flags.append(Flag(code="frame_violation",
                                  message=f"recommends {_name(catalog, mid)}, which is outside the IPT frame",
                                  span=m.group(0)))
        s = _SCORING.search(sentence)
        if s and not _negated_in_sentence(sentence, s.start()):
            flags.append(Flag(code="frame_violation",
                              message="scores risk or diagnoses the client; the tool leaves that to the clinician",
                              span=s.group(0)))
    return flags
