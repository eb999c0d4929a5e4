"""The LLM coach in a real browser: opt in, reveal, and the feedback arrives by htmx polling once
the task worker has run, rendered as text."""

import pytest
from django.core.management import call_command
from playwright.sync_api import expect

from flashcards.models import LLMFeedback
from tests.browser.conftest import log_in
from tests.conftest import make_question, make_user
from tests.fake_llm import FakeLLM, Reply, feedback, serve

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
POINTS = ["Attention cost grows with sequence length", "The KV cache stores keys and values"]


@pytest.fixture
def fake_llm(settings):
    fake = FakeLLM()
    server = serve(fake)
    settings.COACH_LLM_BASE_URL, settings.COACH_LLM_MODEL = fake.url, "fake-coach-1"
    settings.TASKS = {"default": {"BACKEND": "django_tasks_db.DatabaseBackend"}}
    yield fake
    server.shutdown()
    server.server_close()


def test_opting_in_and_getting_llm_feedback_by_polling(page, fake_llm):
    first = make_question(key_points=POINTS)
    for rank in range(2, 6):
        make_question(first.subsection, key_points=POINTS, rank=rank)
    make_user("candidate")
    dialogs = []
    page.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.dismiss()))
    log_in(page, "candidate")

    page.goto("/settings/")
    expect(page.get_by_text("are sent to 127.0.0.1 for feedback")).to_be_visible()
    page.get_by_label("Also get feedback from the LLM coach (fake-coach-1)").check()
    page.get_by_role("button", name="Save settings").click()
    expect(page.get_by_text("Settings saved.")).to_be_visible()

    fake_llm.default = Reply(feedback(2, tighter_answer="<script>alert('owned')</script>"))
    page.goto("/practice/")
    page.select_option("#id_length", "5")
    page.get_by_role("button", name="Start the interview").click()
    page.fill("#id_typed_answer", "We cache the keys and values. <img src=x onerror=alert(1)>")
    page.get_by_role("button", name="Reveal the model answer").click()
    expect(page.get_by_text("read by the built-in coach")).to_be_visible()
    llm = page.get_by_test_id("llm-feedback")
    expect(llm).to_contain_text("The LLM coach is reading your answer")
    assert fake_llm.requests == []  # the page came back before the model was asked

    call_command("db_worker", batch=True, startup_delay=False, reload=False, verbosity=0)
    assert LLMFeedback.objects.get().status == "done"
    # No reload: the partial polls every 2 s and swaps itself for the feedback, then stops.
    expect(llm).to_contain_text("RoPE rotates q and k.", timeout=8_000)
    expect(llm).to_have_attribute("data-status", "done")
    expect(llm).to_contain_text("<script>alert('owned')</script>")  # shown as text
    expect(llm.get_by_text("LLM coach (fake-coach-1)")).to_be_visible()
    assert dialogs == []
