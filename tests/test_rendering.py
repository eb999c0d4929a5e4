"""Model answers are Markdown, rendered safely."""

from datetime import timedelta
from html.parser import HTMLParser

from django.urls import reverse

from flashcards import fixture
from flashcards.rendering import inline_to_html, markdown_to_html, text_errors
from flashcards.seeding import DEFAULT_FIXTURE

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
    assert (
        '<div class="highlight"><pre><span></span><code>z = mu + sigma * eps\n</code></pre></div>'
        in html
    )


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


def test_formulas_become_mathml_with_their_latex_as_alt_text():
    html = markdown_to_html(
        "Attention is $\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V$, which costs $5 or $10.\n\n"
        "$$p(x) = \\prod_t p(x_t \\mid x_{<t})$$"
    )
    assert '<math alttext="\\mathrm{softmax}(QK^\\top/\\sqrt{d_k})V" display="inline">' in html
    assert "<msqrt>" in html and "<msub>" in html
    assert '<math alttext="p(x) = \\prod_t p(x_t \\mid x_{&lt;t})" display="block">' in html
    assert "costs $5 or $10." in html  # prices are not formulas


def test_a_malformed_formula_shows_its_source_as_code():
    html = markdown_to_html("Broken $\\frac{1}{2$ and $x^$ and $\\notacommand{x}$, fine $y$.")
    assert '<code class="math-error">\\frac{1}{2</code>' in html
    assert '<code class="math-error">x^</code>' in html
    assert '<code class="math-error">\\notacommand{x}</code>' in html
    assert '<math alttext="y"' in html


def test_dollars_inside_code_stay_code():
    html = markdown_to_html('Run `echo $HOME $x$` then\n\n```\nprice = "$x$"\n```')
    assert "<code>echo $HOME $x$</code>" in html
    assert "<math" not in html


def test_hostile_mathml_is_sanitised():
    html = markdown_to_html(
        '<math><mi onclick="alert(1)" href="javascript:alert(2)">x</mi>'
        '<maction actiontype="statusline"><mtext>a</mtext></maction>'
        "<mtext><img src=x onerror=alert(3)><style>p{}</style></mtext></math> $x$"
    )
    for forbidden in ("onclick", "javascript:", "<maction", "onerror", "<img", "<style"):
        assert forbidden not in html, forbidden
    assert '<math alttext="x"' in html


def test_code_blocks_are_highlighted_with_classes_not_inline_styles():
    html = markdown_to_html("```python\nimport torch  # tensors\nx = 2\n```")
    assert '<div class="highlight"><pre>' in html
    assert '<span class="kn">import</span>' in html and '<span class="c1"># tensors</span>' in html
    assert "style=" not in html
    assert "evil" not in markdown_to_html('<span class="evil k">x</span>')


def test_a_key_point_renders_code_and_formulas_and_escapes_the_rest():
    html = inline_to_html("Learns $p(x \\mid c)$ with `torch.randn` & <b>not bold</b> *or em*")
    assert html.startswith('Learns <math alttext="p(x \\mid c)" display="inline">')
    assert "<code>torch.randn</code> &amp; &lt;b&gt;not bold&lt;/b&gt; *or em*" in html


def test_the_anki_export_keeps_formulas_as_latex():
    assert markdown_to_html("so $a<b$ and $$x^2$$", "anki") == (
        "<p>so \\(a&lt;b\\) and \\[x^2\\]</p>"
    )
    assert inline_to_html("point $\\alpha_1$", "anki") == "point \\(\\alpha_1\\)"


def test_every_formula_in_the_bank_renders():
    bank = DEFAULT_FIXTURE.read_text(encoding="utf-8")
    parsed = fixture.parse(bank)  # refuses a malformed formula, naming the place
    questions = [q for s in parsed for ss in s.subsections for q in ss.questions]
    texts = [t for q in questions for t in (q.answer, q.follow_up, q.follow_up_answer,
                                            *q.key_points, *q.follow_up_key_points)]  # fmt: skip
    assert all(not text_errors(t) for t in texts)
    assert "math-error" not in "".join(markdown_to_html(t) for t in texts)


def test_text_cannot_forge_a_formula_placeholder():
    html = markdown_to_html("MATHPLACEHOLDER7X and MATH0000000000000000N3X stay text, $y$ too.")
    assert "MATHPLACEHOLDER7X and MATH0000000000000000N3X stay text" in html
    assert '<math alttext="y"' in html
