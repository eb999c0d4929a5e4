"""Model answers are Markdown, rendered safely."""

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
