from django import template
from django.utils.safestring import mark_safe

from flashcards.rendering import inline_to_html, markdown_to_html
from flashcards.scheduling import format_interval

register = template.Library()


@register.filter
def markdown(text: str) -> str:
    """Render Markdown as sanitised HTML."""
    return mark_safe(markdown_to_html(text))  # noqa: S308 - sanitised by nh3 above


@register.filter
def inline(text: str) -> str:
    """Render one line (a key point, a follow-up): text escaped, `code` and $formulas$ kept."""
    return mark_safe(inline_to_html(text))  # noqa: S308 - escaped and sanitised by nh3


@register.filter
def interval(value) -> str:
    """Format a timedelta the way the answer buttons show it (10m, 2d, 3mo)."""
    return format_interval(value)


@register.simple_tag
def field_widget(field):
    """A form field's control, described by its error and its help text (in that order)."""
    ids = []
    if field.errors:
        ids.append(f"{field.auto_id}_error")
    if field.help_text:
        ids.append(f"{field.auto_id}_helptext")
    return field.as_widget(attrs={"aria-describedby": " ".join(ids)} if ids else None)
