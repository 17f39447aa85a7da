"""May a draft sentence about risk stand as interpretation? A sentence about documented risk that content
grounding flags ("her self-harm urges cluster at times when she is alone") reaches the claim probe only when it
has no word that grades, softens, recasts or denies the risk; every sentence that changes the risk picture stays
flagged, whatever the probe says (:func:`risk_liftable`). Also the softening test for sentences that name no risk
(:func:`softens_risk`) and the negations a sentence adds to the bullets' own (:func:`own_negations`)."""

from __future__ import annotations

import re

from .change_words import _STRICT
from .risk_claims import _ACT_DENIED, _NEGATION, _PERSON, _PERSONS, _RISK_SOFTENER, _negated_in, acts_denied
from .risk_scope import grades_risk


#: Words that set a risk against something else or make it smaller ("curiosity rather than intent", "just a
#: figure of speech", "an understandable reaction"): a sentence about risk with one of them is never lifted.
_RISK_RECAST = re.compile(r"\b(?:rather\s+than|instead\s+of|more\s+(?:\w+\s+){0,3}than|not\s+so\s+much|as\s+opposed\s+to|"
                          r"merely|simply|just|only|mostly|normal|ordinary|understandable|expected)\b", re.I)


def own_negations(sentence: str, src: str) -> list[re.Match[str]]:
    """The negations of a sentence that are not the bullets' own words ("no intent" copied from them, "has not
    made a plan" for "no plan made"). ``src`` is the normalised bullets."""
    from .factcheck import _norm  # (factcheck imports this module)

    out = []
    denied_act = acts_denied(src)
    for m in _NEGATION.finditer(sentence):
        # From the start of the word: "wouldn't mind", not "n't mind".
        start = m.start() - len(re.search(r"[\w']*$", sentence[:m.start()]).group(0))  # type: ignore[union-attr]
        if denied_act and _ACT_DENIED.match(_norm(sentence[start:m.end() + 40])):
            continue
        phrase = [w.strip("'") for w in re.findall(r"[a-z0-9']+", _norm(sentence[start:m.end() + 30]))]
        phrase = [w for w in phrase if w]  # (a quotation's marks are not its words: "said 'don't know'")
        # Reported speech shifts the person: "better off without her" for "better off without me".
        words = [_PERSON if w in _PERSONS else re.escape(w) for w in phrase[:2]]
        if not re.search(r"\b" + r"\W+".join(words) + r"\b", src) and not _negated_in(phrase[1:5], src):
            out.append(m)
    return out


def risk_liftable(sentence: str, src: str | None = None) -> bool:
    """Whether a sentence about risk that content grounding flags may still be read by the claim probe as
    interpretation ("her self-harm urges cluster at times when she is alone"): only when it has none of the
    words that grade, soften, recast or deny risk (those sentences stay flagged, whatever the probe says).
    Given the normalised bullets ``src``, a negation they wrote themselves ("no weapons in the home" for "No
    weapons in home") is theirs, not a denial. A new risk fact in plain words ("he threatened to hit his
    father") is the probe's to catch."""
    negated = own_negations(sentence, src) if src is not None else _NEGATION.search(sentence)
    return not (softens_risk(sentence) or _STRICT.search(sentence) or _RISK_RECAST.search(sentence) or negated)


#: Softeners that frame, grade up or manage a risk the sentence names ("rated", "score", "removed", "in place",
#: "significant"): in a sentence that names no risk they are not a minimisation ("his mood score has improved",
#: "disclosing the debt removed a source of secrecy").
_RISK_FRAMING = re.compile(r"(?:scored?|rated|level|removed|handed|secured|agreed|completed|in\s+place|contract\w*|"
                           r"significant|substantial|considerable|assessed\s+as|judged|considered|deemed|moderate|medium|"
                           r"high|elevated|imminent|genuine|serious(?:ly)?)", re.I)


def softens_risk(sentence: str, unsupported: list[str] | None = None, named: bool = True) -> bool:
    """A softening or grading word that bears on risk ("it remains low"), not on something else ("low mood"),
    and, given the sentence's change words the bullets do not bear out (``unsupported``, from
    :func:`.change_words.unsupported_strict`), not a change they do bear out ("his PHQ-9 has improved since
    session 3" for "PHQ-9 11 (s3 15)"). In a sentence that does not name the risk (``named`` false), only a
    word that makes it smaller counts ("things have calmed down at home"), not one that frames or manages it."""
    supported = set()
    if unsupported is not None:
        supported = {m.group(0).lower() for m in _STRICT.finditer(sentence)} - {w.lower() for w in unsupported}
    return any(grades_risk(m, sentence) and m.group(0).lower() not in supported
               and (named or not _RISK_FRAMING.fullmatch(m.group(0)))
               for m in _RISK_SOFTENER.finditer(sentence))
