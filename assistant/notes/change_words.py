"""Change, outcome and severity words a draft may use only when the bullets bear them out ("improved", "much
calmer", "moderately severe", "substantial"): no semantic rescue. Used by the fact check for every sentence, and
by the risk lift (:mod:`.risk_lift`) to tell a supported change from a softening."""

from __future__ import annotations

import re

#: Change and outcome words, and severity bands, a draft may use only when the bullets do: no semantic rescue.
#: A band is a rating in words ("PHQ-9 of 14 falls in the mild range"): in the labelled drafts of dev,
#: fresh_read and fresh2_read every band word the bullets did not write was a planted invention.
_STRICT = re.compile(r"\b(?:improv\w*|(?<!\bthe\s)better(?!\s+off\b)|worse|worsen\w*|calmer|calm|remission|recover\w*|halved|doubled|"
                     r"mild(?:ly)?|moderate(?:ly)?|severe(?:ly)?|minimal|sub-?clinical|sub-?threshold|"
                     r"(?:possible|probable)(?=\s+(?:postnatal\s+|perinatal\s+)?depression)|"
                     r"(?:clinical|normal|non-clinical)\s+range|"
                     r"marked(?:ly)?|significant(?:ly)?|dramatic\w*|substantial\w*|noticeabl[ey]|resolv\w*|settled|"
                     r"much\s+(?:better|worse|calmer|happier|brighter)|happier|brighter|lifted|eased)\b", re.I)
#: "marked" as a verb with its object ("marked Ray's birthday at his grave", "marked the anniversary"), not "marked(ly)".
_MARKED_AS_VERB = re.compile(r"\s+(?:the|a|an|his|her|their|its|[A-Z][\w'’]*['’]s)\b")
#: A size word before something that is neither a change, a symptom nor a risk: an event's or a person's weight in the
#: formulation ("a significant milestone in her grief", "a significant figure in his life"), which is interpretation.
_WEIGHT_OF = re.compile(r"\s+(?:milestone|anniversary|event|date|moment|step|occasion|relationship|figure|person|role|"
                        r"turning\s+point|part\s+of|influence)s?\b", re.I)
#: Symptoms of the kind a documented scale grades: "significant depressive symptoms", "significant anxiety symptoms".
_SYMPTOMS_OF = re.compile(r"\s+(?:(?:depressive|depression|low\s+mood)\s+symptoms|(?:anxiety|anxious)\s+symptoms|depression|anxiety)\b", re.I)
#: ... or before it, as the subject the size word is said of: "depressive symptoms remain significant", "her depression is
#: still clinically significant", "her symptoms have come down a little but remain significant".
_SYMPTOMS_BEFORE = re.compile(r"\b((?:depressive|depression|low\s+mood|anxiety|anxious)\s+symptoms|symptoms\s+of\s+(?:depression|"
                              r"anxiety)|depression|anxiety|(?:her|his|their)\s+symptoms|symptoms)\s+(?:have\s+|had\s+)?"
                              r"(?:[^.;:]{0,60}?\b(?:but|yet|and|though|although)\s+(?:still\s+)?)?"
                              r"(?:remain(?:s|ed)?|are|is|were|was|stay(?:s|ed)?|still|continue[sd]?\s+to\s+be)\s+"
                              r"(?:still\s+|clinically\s+)?$", re.I)
#: The usual cut-off for clinically significant symptoms on each scale (moderate on the PHQ-9 and GAD-7, possible
#: depression on the EPDS, mild on the BDI-II).
_CUTOFFS = {"depress": (("PHQ-9", 10), ("PHQ-A", 10), ("EPDS", 10), ("BDI-II", 14)), "anxi": (("GAD-7", 10),)}


def _clinical_range(src: str, rest: str) -> bool:
    """The bullets score the scale of the symptoms named at or above its usual cut-off."""
    from .scales import documented

    kind = "anxi" if re.match(r"\s+anxi", rest, re.I) else "depress"
    docs = documented(src)
    return any(docs[name].score is not None and docs[name].score >= cut for name, cut in _CUTOFFS[kind] if name in docs)


#: The size words a weight-of use may take.
_WEIGHT_WORDS = ("significant", "marked", "substantial")
#: A band the bullets wrote in shorthand: "PHQ-9 14 (mod)", "sev depression".
_BAND_SHORTHAND = {"mod": r"\bmod\b", "sev": r"\bsev\b"}


#: Before a change verb's bare form, what makes it an aim: the start of the sentence (a goal written as an imperative),
#: "to", "towards", "aim(s) to", "help her (to)".
_AIM_BEFORE = re.compile(r"(?:^[\W_]*|\b(?:to|towards?|aims?|aimed|goals?|help(?:ing|s)?\s+(?:her|him|them|the\s+client)(?:\s+to)?)\s+)$", re.I)


def _same_root(word: str, src: str) -> bool:
    """The bullets write the word in another form of the same root: an inflection ("improvement" for "improved"), or
    the verb made from an adjective with "-en" ("worsens" for "if it gets worse")."""
    from .claims import content_stems, stem_all

    written = set(content_stems(src))
    return any(stem in written or (stem.endswith("en") and set(stem_all([stem[:-2] + "e"])) & written)
               for stem in stem_all([word]))


def unsupported_strict(sentence: str, original: str, src: str, bullet_lines: list[str]) -> list[str]:
    """The change, outcome and severity words of a sentence the bullets do not bear out. A word stands when the
    bullets have it, a scale's scores bear it out, or a line the sentence retells states that direction of
    change in other words ("improved" for "sleep better, ~6h"). ``src`` is the normalised bullets."""
    from .changes import retold_change
    from .scales import change_supported, mask_verified

    # The catalog's aim is template text; a band that is right for the documented score is supported.
    strict = "" if "(standard IPT aim" in sentence else mask_verified(sentence, src)
    out = []
    for m in _STRICT.finditer(strict):
        word = m.group(0)
        if word.lower() == "marked" and _MARKED_AS_VERB.match(strict, m.end()):
            continue  # "marked Ray's birthday": a verb, not an intensity
        if word.lower() in _WEIGHT_WORDS and _WEIGHT_OF.match(strict, m.end()):
            continue  # "a significant milestone": the weight of an event, not a change or a severity
        after = re.match(r"\s+([a-z]{3,})", strict[m.end():], re.I)
        if word.lower() in ("marked", "markedly", "significant") and after \
                and re.search(rf"\b{re.escape(after.group(1).lower())}\s*\+\+", src):
            continue  # "marked shame" for the bullets' "shame++"
        if word.lower() == "significant" and _SYMPTOMS_OF.match(strict, m.end()) and _clinical_range(src, strict[m.end():]):
            continue  # "significant depressive symptoms" for a documented score at or above the scale's cut-off
        said_of = _SYMPTOMS_BEFORE.search(strict[:m.start()])
        if word.lower() == "significant" and said_of and _clinical_range(src, " " + said_of.group(1)):
            continue  # "depressive symptoms remain significant": the same severity said of its subject
        if word.lower() in ("resolve", "improve") and _AIM_BEFORE.search(strict[:m.start()]):
            continue  # an aim, not an outcome: "Resolve the dispute with her mother-in-law" as a goal, "to improve mood"
        shorthand = _BAND_SHORTHAND.get(word.lower()[:3])
        if word.lower() not in src and not (shorthand and re.search(shorthand, src)) and not _same_root(word, src) \
                and not change_supported(word, sentence, src) and not retold_change(word, original, bullet_lines):
            out.append(word)
    return out
