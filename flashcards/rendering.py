"""Turning editor-written Markdown into safe HTML: formulas as MathML, code highlighted.

Formulas are LaTeX between `$…$` (inline) or `$$…$$` (display). They are converted on the
server with latex2mathml, keep their LaTeX source as the `alttext` of the `<math>` element, and
a formula that cannot be converted is shown as its source in a `<code class="math-error">`.
Code blocks are highlighted by Pygments into class-based `<span>`s (styled in app.css, so the
strict CSP needs no inline styles).
"""

from __future__ import annotations

import html
import re
import secrets
from dataclasses import dataclass
from functools import lru_cache

import latex2mathml.converter
import markdown
import nh3
from pygments.token import STANDARD_TYPES

ALLOWED_TAGS = {
    "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "h3", "h4", "h5", "h6", "a", "sub", "sup", "div", "span",
}  # fmt: skip
MATHML_TAGS = {
    "math", "mrow", "mi", "mn", "mo", "ms", "mtext", "mspace", "msub", "msup", "msubsup",
    "mfrac", "msqrt", "mroot", "mover", "munder", "munderover", "mtable", "mtr", "mtd",
    "mstyle", "mpadded", "mphantom", "menclose", "semantics", "annotation",
}  # fmt: skip
MATHML_PRESENTATION = {
    "mathvariant", "stretchy", "fence", "separator", "lspace", "rspace", "accent", "accentunder",
    "movablelimits", "largeop", "symmetric", "minsize", "maxsize", "form", "displaystyle",
    "scriptlevel", "linethickness", "columnalign", "columnspacing", "columnlines", "rowspacing",
    "rowlines", "width", "height", "depth", "notation",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {
    "a": {"href", "title"},
    "math": {"display", "alttext"},
    "annotation": {"encoding"},
    **dict.fromkeys(MATHML_TAGS - {"math", "annotation"}, MATHML_PRESENTATION),
}
# Pygments' short token classes (k, s2, c1, ...) on <span>, and the block's own class on <div>.
ALLOWED_CLASSES = {
    "div": {"highlight"},
    "span": {c for c in STANDARD_TYPES.values() if c},
    "code": {"math-error"},
}

# A formula is `$$…$$` or `$…$` (not touching a space on the inside, so "$5 and $10" is text);
# code spans are matched first so a `$` inside backticks stays code.
_PIECES = re.compile(
    r"(?P<fence>^```.*?^```[ \t]*$)"
    r"|(?P<code>`+)(?:.+?)(?P=code)"
    r"|\$\$(?P<display>.+?)\$\$"
    r"|(?<![\\$\w])\$(?P<inline>[^\s$](?:[^$\n]*?[^\s\\$])?)\$(?!\w)",
    re.S | re.M,
)
_COMMAND = re.compile(r"\\([A-Za-z]+)")


@dataclass(frozen=True)
class Formula:
    source: str
    display: bool


def formulas(text: str) -> list[Formula]:
    """Return the formulas written in a text, in order (code spans and blocks excluded)."""
    found = []
    for match in _PIECES.finditer(text or ""):
        if match["display"] is not None:
            found.append(Formula(match["display"].strip(), display=True))
        elif match["inline"] is not None:
            found.append(Formula(match["inline"], display=False))
    return found


def _braces_balanced(source: str) -> bool:
    depth = 0
    for char in re.sub(r"\\[{}\\]", "", source):
        depth += {"{": 1, "}": -1}.get(char, 0)
        if depth < 0:
            return False
    return depth == 0


def formula_error(source: str) -> str | None:
    """Return why a LaTeX formula cannot be rendered, or None if it can."""
    if not source.strip():
        return "empty formula"
    if not _braces_balanced(source):
        return "unbalanced braces"
    if source.count(r"\left") != source.count(r"\right"):
        return r"\left without \right (or the reverse)"
    try:
        mathml = latex2mathml.converter.convert(source)
    except Exception as error:  # latex2mathml raises many kinds for malformed input
        return f"not valid LaTeX ({type(error).__name__})"
    # latex2mathml keeps a command it does not know as literal text ("\foo").
    unknown = [c for c in _COMMAND.findall(source) if f"\\{c}" in html.unescape(mathml)]
    if unknown:
        return f"unknown command \\{unknown[0]}"
    return None


def text_errors(text: str) -> list[str]:
    """Return a message for each formula in a text that cannot be rendered."""
    messages = []
    for formula in formulas(text):
        error = formula_error(formula.source)
        if error:
            messages.append(f"formula ${formula.source}$: {error}")
    return messages


@lru_cache(maxsize=4096)
def formula_to_mathml(source: str, display: bool = False) -> str:
    """Return MathML for a LaTeX formula, its source kept as alt text; code if malformed."""
    if formula_error(source):
        return f'<code class="math-error">{html.escape(source)}</code>'
    mathml = latex2mathml.converter.convert(source, display="block" if display else "inline")
    alttext = html.escape(source, quote=True)
    return mathml.replace(
        '<math xmlns="http://www.w3.org/1998/Math/MathML"', f'<math alttext="{alttext}"', 1
    )


def _formula_html(source: str, display: bool, math: str) -> str:
    if math == "anki":  # Anki's MathJax reads the LaTeX source between \( \) or \[ \]
        escaped = html.escape(source)
        return f"\\[{escaped}\\]" if display else f"\\({escaped}\\)"
    return formula_to_mathml(source, display)


def _formula_of(match: re.Match) -> tuple[str, bool] | None:
    if match["display"] is not None:
        return match["display"].strip(), True
    if match["inline"] is not None:
        return match["inline"], False
    return None


def _clean(html_text: str) -> str:
    return nh3.clean(
        html_text,
        tags=ALLOWED_TAGS | MATHML_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        allowed_classes=ALLOWED_CLASSES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )


@lru_cache(maxsize=1024)
def markdown_to_html(text: str, math: str = "mathml") -> str:
    """Return sanitised HTML for Markdown: no scripts, styles, event handlers or unsafe links.

    Formulas become MathML (or, with math="anki", stay LaTeX in Anki's delimiters). Cached by
    text: a bank of a hundred answers is rendered once per process, not per request.
    """
    rendered: list[str] = []
    # Markdown leaves this alone; the random part means text cannot forge one.
    token = f"MATH{secrets.token_hex(8)}N"

    def swap(match: re.Match) -> str:
        formula = _formula_of(match)
        if formula is None:
            return match[0]
        rendered.append(_formula_html(*formula, math))
        return f"{token}{len(rendered) - 1}X"

    html_text = markdown.markdown(
        _PIECES.sub(swap, text or ""),
        extensions=["fenced_code", "codehilite", "sane_lists"],
        extension_configs={"codehilite": {"guess_lang": False, "css_class": "highlight"}},
    )
    return _clean(re.sub(rf"{token}(\d+)X", lambda m: rendered[int(m[1])], html_text))


@lru_cache(maxsize=4096)
def inline_to_html(text: str, math: str = "mathml") -> str:
    """Return one line (a key point, a follow-up question) as HTML: the text escaped, `code`
    spans as code and formulas as MathML; nothing else is interpreted."""
    text = text or ""
    parts, last = [], 0
    for match in _PIECES.finditer(text):
        parts.append(html.escape(text[last : match.start()]))
        formula = _formula_of(match)
        if formula is not None:
            parts.append(_formula_html(*formula, math))
        elif match["code"] is not None:
            fence = len(match["code"])
            parts.append(f"<code>{html.escape(match[0][fence:-fence])}</code>")
        else:
            parts.append(html.escape(match[0]))
        last = match.end()
    parts.append(html.escape(text[last:]))
    return _clean("".join(parts))
