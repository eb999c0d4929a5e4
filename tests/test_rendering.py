"""Model answers are Markdown, rendered safely."""

from datetime import timedelta
from html.parser import HTMLParser

from django.urls import reverse

from flashcards.rendering import markdown_to_html

from .conftest import make_question, make_user


def test_markdown_becomes_html():
    html = markdown_to_html(
        "The loss is `L = ‖ε − ε_θ(x_t, t)‖²`.\n\n- **first** point\n- *second* point\n\n"
        "```\nz = mu + sigma * eps\n```"
    )
    assert "<code>L = ‖ε − ε_θ(x_t, t)‖²</code>" in html
    assert (
        "<ul>\n<li><strong>first</strong> point</li>\n<li><em>second</em> point</li>\n</ul>" in html
    )
    assert "<pre><code>z = mu + sigma * eps\n</code></pre>" in html


def test_scripts_styles_handlers_and_javascript_links_are_stripped():
    hostile = (
        "<script>alert(1)</script>\n\n<style>body{display:none}</style>\n\n"
        '<img src=x onerror="alert(2)">\n\n[click](javascript:alert(3))\n\n'
        '<p onclick="alert(4)" style="color:red">text</p>\n\n[ok](https://example.org)'
    )
    html = markdown_to_html(hostile)
    for forbidden in ("<script", "alert(1)", "<style", "display:none", "onerror", "javascript:",
                      "onclick", "style=", "<img"):  # fmt: skip
        assert forbidden not in html, forbidden
    assert "<p>text</p>" in html
    assert '<a href="https://example.org" rel="noopener noreferrer nofollow">ok</a>' in html


def test_hostile_content_from_admin_is_rendered_safely_on_the_card(client, db):
    question = make_question(
        prompt="<b>Bold</b> prompt?",
        answer='Fine answer <script>alert("x")</script> [bad](javascript:alert(1))',
        key_points=["<img src=x onerror=alert(1)>"],
        follow_up="<script>follow()</script>?",
    )
    client.force_login(make_user())
    html = client.get(reverse("reveal", args=[question.pk])).content.decode()
    assert "<script>alert" not in html and "javascript:alert" not in html
    assert "&lt;b&gt;Bold&lt;/b&gt; prompt?" in html
    assert "&lt;img src=x onerror=alert(1)&gt;" in html
    assert "&lt;script&gt;follow()&lt;/script&gt;?" in html


HOSTILE = (
    '<script>alert("owned")</script><style>body{display:none}</style><img src=x onerror="alert(2)">'
    ' [link](javascript:alert(3)) <a href="#" onclick="alert(4)">x</a>'
)


class _Elements(HTMLParser):
    """Collect what the browser would actually run: elements and attributes, not escaped text."""

    def __init__(self):
        super().__init__()
        self.found: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag, attrs):
        self._in_script = tag == "script"
        if tag == "style":
            self.found.append("<style> element")
        for name, value in attrs:
            if name.startswith("on"):
                self.found.append(f"{name} attribute on <{tag}>")
            if name in {"href", "src"} and (value or "").strip().lower().startswith("javascript:"):
                self.found.append(f"javascript: {name} on <{tag}>")

    def handle_data(self, data):
        if self._in_script and "owned" in data:
            self.found.append("hostile script")

    def handle_endtag(self, tag):
        self._in_script = False


def _assert_safe(html: str, where: str) -> None:
    parser = _Elements()
    parser.feed(html)
    assert parser.found == [], where


def test_hostile_content_is_safe_on_every_page_that_shows_it(client, db, now):
    from django.contrib.auth.models import User

    from flashcards.models import Card, Review

    from .conftest import answer

    question = make_question(prompt=f"Prompt {HOSTILE}?", answer=HOSTILE, key_points=[HOSTILE],
                             follow_up=HOSTILE)  # fmt: skip
    learner = make_user()
    answer(learner, question, 4, now)
    Card.objects.filter(user=learner).update(lapses=9)  # a leech, listed on the dashboard
    Review.objects.filter(user=learner).update(confidence=3)
    answer(learner, question, 1, now + timedelta(days=30))  # high confidence, then forgotten
    client.force_login(learner)
    pages = {
        "study": reverse("study"),
        "reveal": reverse("reveal", args=[question.pk]),
        "card": reverse("card", args=[question.pk]),
        "browse": reverse("browse"),
        "search": reverse("browse") + "?q=prompt",
        "dashboard": reverse("dashboard"),
        "statistics": reverse("statistics"),
    }
    for where, url in pages.items():
        response = client.get(url)
        assert response.status_code == 200, where
        _assert_safe(response.content.decode(), where)
    assert "Prompt" in client.get(pages["dashboard"]).content.decode()  # the leech is listed
    staff = User.objects.create_user("staff", password="x-very-long-pw-1", is_staff=True,
                                     is_superuser=True)  # fmt: skip
    client.force_login(staff)
    for url in (reverse("admin:flashcards_question_change", args=[question.pk]),
                reverse("admin:flashcards_question_changelist")):  # fmt: skip
        _assert_safe(client.get(url).content.decode(), url)


def test_the_safety_check_itself_catches_live_markup():
    parser = _Elements()
    parser.feed('<p onclick="x"><script>alert("owned")</script><a href="javascript:x">a</a><style>')
    assert len(parser.found) == 4
