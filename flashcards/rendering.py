"""Turning editor-written Markdown into safe HTML."""

from functools import lru_cache

import markdown
import nh3

ALLOWED_TAGS = {
    "p", "br", "hr", "ul", "ol", "li", "strong", "em", "b", "i", "code", "pre", "blockquote",
    "h3", "h4", "h5", "h6", "a", "sub", "sup",
}  # fmt: skip
ALLOWED_ATTRIBUTES = {"a": {"href", "title"}}


@lru_cache(maxsize=1024)
def markdown_to_html(text: str) -> str:
    """Return sanitised HTML for Markdown: no scripts, styles, event handlers or unsafe links.

    Cached by text: a bank of a hundred answers is rendered once per process, not per request.
    """
    html = markdown.markdown(text or "", extensions=["fenced_code", "sane_lists"])
    return nh3.clean(
        html,
        tags=ALLOWED_TAGS,
        attributes=ALLOWED_ATTRIBUTES,
        url_schemes={"http", "https", "mailto"},
        link_rel="noopener noreferrer nofollow",
    )
