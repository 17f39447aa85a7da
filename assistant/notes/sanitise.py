"""Model markdown -> note markdown: no images, no links out, no raw HTML, no sections the format lacks.

Applied to a model's draft before it is split into sections and fact-checked. Each kind of removal is
reported (a short code, never the removed text) so the note can flag it.
"""

from __future__ import annotations

import re

from .render import SECTION_SPELLINGS

_IMAGE = re.compile(r"!\[[^\]]*\]\([^)]*\)|!\[[^\]]*\]\[[^\]]*\]")
_LINK = re.compile(r"\[([^\]]+)\]\((?:[^)]*)\)")
_REF_DEF = re.compile(r"^\s*\[[^\]]+\]:\s*\S+.*$", re.M)
_AUTOLINK = re.compile(r"<(?:https?|ftp|mailto|file|data):[^>\s]*>", re.I)
_URL = re.compile(r"\b(?:https?|ftp|file|data):(?://)?[^\s)>\]]+|\bwww\.[^\s)>\]]+", re.I)
_HTML_BLOCK = re.compile(r"<(script|style|iframe|object|embed|svg|math|template)\b.*?</\1\s*>", re.I | re.S)
_HTML_TAG = re.compile(r"</?[A-Za-z][A-Za-z0-9-]*(?:\s[^<>]*)?/?>|<!--.*?-->", re.S)
_HEADING = re.compile(r"^\s{0,3}(#{1,6})\s*(.*?)\s*#*\s*$")
_BOLD_HEADING = re.compile(r"^\s*\*\*([A-Za-z ]+?):?\*\*\s*:?\s*$")
_FENCE = re.compile(r"^\s*(```|~~~)")


#: A section label with its text on the same line ("**Subjective:** Client is ...", "## Plan: review in 2
#: weeks"): the heading is split from its text.
_INLINE_LABEL = re.compile(r"^[ \t]*(?:#{1,4}[ \t]*)?\*\*([A-Za-z]+)[ \t]*:?[ \t]*\*\*[ \t]*:?[ \t]+(\S.*)$|"
                           r"^[ \t]*#{1,4}[ \t]*([A-Za-z]+)[ \t]*:[ \t]+(\S.*)$", re.M)


def _split_label(m: re.Match[str], wanted: set[str]) -> str:
    name, body = (m.group(1), m.group(2)) if m.group(1) else (m.group(3), m.group(4))
    return f"**{name}**\n{body}" if name.lower() in wanted else m.group(0)


#: A section written as a plain label at the start of a line, with or without its text: "S: Client reports ...",
#: "Subjective - ...", "**P:** continue IPT", "PLAN:", "D) ...", or a name in capitals on a line of its own
#: ("ASSESSMENT").
_PLAIN_LABEL = re.compile(r"^[ \t]*(?:\*\*)?([A-Za-z]+)[ \t]*(?:\*\*)?(?:[ \t]*[:)]|[ \t]+[-–—])[ \t]*(?:\*\*)?[ \t]*(.*)$|"
                          r"^[ \t]*([A-Z]{4,})[ \t]*()$")


def label_sections(text: str, sections: tuple[str, ...]) -> str | None:
    """A draft whose sections are plain labels at the start of their lines, as clinicians write notes ("S: ...",
    "O: ...", or "Subjective: ..."), with each label made a heading; None unless every section of the format is
    labelled so, once each and in the format's order (a line "A: ..." elsewhere is text)."""
    out: list[str] = []
    k = 0
    for line in text.splitlines():
        m = _PLAIN_LABEL.match(line) if k < len(sections) else None
        word = (m.group(1) or m.group(3)).lower() if m else ""
        body = (m.group(2) or m.group(4) or "").strip() if m else ""
        if m and (SECTION_SPELLINGS.get(word, word) == sections[k].lower()
                  or (word == sections[k][0].lower() and m.group(1))):
            out.append(f"**{sections[k]}**")
            if body:
                out.append(body)
            k += 1
            continue
        out.append(line)
    return "\n".join(out) if k == len(sections) else None


def paragraph_sections(text: str, sections: tuple[str, ...]) -> str | None:
    """A draft written as one paragraph per section with no labels at all (a DAP note as three paragraphs, or as three
    lines): each paragraph made its section, in the format's order. None unless the paragraphs are exactly as many as
    the sections and none opens with a label or a heading."""
    paragraphs = [p.strip() for p in re.split(r"\n\s*\n", text.strip()) if p.strip()]
    if len(paragraphs) == 1:
        # ... or one line per paragraph, with no blank lines between them
        paragraphs = [p.strip() for p in text.strip().splitlines() if p.strip()]
    if len(paragraphs) != len(sections) or any(_PLAIN_LABEL.match(p) or p.startswith(("#", "**", "__")) for p in paragraphs):
        return None
    return "\n\n".join(f"**{name}**\n{body}" for name, body in zip(sections, paragraphs))


def sanitise(text: str, sections: tuple[str, ...]) -> tuple[str, list[str]]:
    """(clean markdown, removal codes). Keeps the format's headings (and a top-level title line);
    drops any other section with its content."""
    removed: list[str] = []

    def sub(pattern: re.Pattern[str], repl: str, code: str, s: str) -> str:
        new, n = pattern.subn(repl, s)
        if n and code not in removed:
            removed.append(code)
        return new

    text = sub(_HTML_BLOCK, "", "html", text)
    text = sub(_IMAGE, "", "image", text)
    text = sub(_LINK, r"\1", "link", text)
    text = sub(_REF_DEF, "", "link", text)
    text = sub(_AUTOLINK, "", "link", text)
    text = sub(_URL, "", "link", text)
    text = sub(_HTML_TAG, "", "html", text)
    wanted = {s.lower() for s in sections}
    wanted |= {k for k, v in SECTION_SPELLINGS.items() if v in wanted}
    text = _INLINE_LABEL.sub(lambda m: _split_label(m, wanted), text)
    out: list[str] = []
    keep = True
    fenced = False
    for line in text.splitlines():
        if _FENCE.match(line):
            fenced = not fenced
            if "code" not in removed:
                removed.append("code")
            continue
        if fenced:
            continue
        m = _HEADING.match(line) or _BOLD_HEADING.match(line)
        if m:
            name = (m.group(2) if m.re is _HEADING else m.group(1)).strip("*: ").lower()
            level = len(m.group(1)) if m.re is _HEADING else 2
            if name in wanted:
                keep = True
                out.append(line)
            elif level == 1 and not out:
                out.append(line)  # the note's title line
            else:
                keep = False
                if "section" not in removed:
                    removed.append("section")
            continue
        if keep:
            out.append(line)
    return "\n".join(out).strip() + "\n", removed
