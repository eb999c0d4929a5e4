"""Outgoing mail: every message has a plain-text part and an HTML part in the app's look."""

from __future__ import annotations

import re

from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.utils.html import escape
from django.utils.safestring import mark_safe

LINK = re.compile(r"https?://[^\s<>\"]+")


def text_to_html(text: str) -> str:
    """Paragraphs and clickable links from plain text, everything else escaped."""

    def linked(block: str) -> str:
        parts, last = [], 0
        for match in LINK.finditer(block):
            url = match.group(0)
            parts += [
                escape(block[last : match.start()]),
                f'<a href="{escape(url)}">{escape(url)}</a>',
            ]
            last = match.end()
        parts.append(escape(block[last:]))
        return "".join(parts).replace("\n", "<br>\n")

    blocks = [b.strip() for b in re.split(r"\n\s*\n", text.strip()) if b.strip()]
    return "\n".join(f"<p>{linked(block)}</p>" for block in blocks)


def add_html_part(message: EmailMultiAlternatives) -> None:
    """Attach the HTML version of a plain-text message, in the mail layout."""
    html = render_to_string(
        "email/layout.html",
        {"subject": message.subject, "body": mark_safe(text_to_html(message.body))},
    )
    message.attach_alternative(html, "text/html")
