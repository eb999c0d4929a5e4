"""A learner imports a 20-line file with two bad lines: the preview names them and nothing is
created until the file is fixed; then the cards are created and come up in My questions."""

import pytest
from playwright.sync_api import expect

from flashcards.models import Question
from tests.browser.conftest import log_in
from tests.conftest import make_user

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _file(tmp_path, lines) -> str:
    path = tmp_path / "job-description.tsv"
    path.write_text("\n".join(lines), encoding="utf-8")
    return str(path)


def test_importing_a_file_with_two_bad_lines_then_the_fixed_file(page, tmp_path):
    user = make_user("importer")
    log_in(page, "importer")
    lines = [f"Question {n} from the job spec?\tAnswer {n}.\tpoint a; point b\tjob-spec"
             for n in range(1, 21)]  # fmt: skip
    lines[4] = "\tAn answer without a question"  # line 5
    lines[16] = "Question 17?\t" + "a" * 20_001  # line 17: an answer over the limit
    page.goto("/mine/")
    page.get_by_role("link", name="Import from a file").click()
    page.get_by_label("File (CSV or tab-separated, UTF-8)").set_input_files(_file(tmp_path, lines))
    page.get_by_role("button", name="Check the file").click()
    problems = page.get_by_test_id("import-problems")
    expect(problems).to_contain_text("Nothing was created")
    expect(problems).to_contain_text("line 5, column 1: the question is empty")
    expect(problems).to_contain_text("line 17, column 2: 'answer' is 20001 characters")
    assert not Question.visible.to(user).filter(owner=user).exists()

    lines[4] = "Question 5 from the job spec?\tAnswer 5."
    lines[16] = "Question 17 from the job spec?\tAnswer 17."
    page.get_by_label("File (CSV or tab-separated, UTF-8)").set_input_files(_file(tmp_path, lines))
    page.get_by_role("button", name="Check the file").click()
    expect(page.get_by_test_id("import-ready")).to_contain_text("20 questions to create")
    expect(page.get_by_test_id("import-preview").locator("tbody tr")).to_have_count(20)
    assert not Question.visible.to(user).filter(owner=user).exists()
    page.get_by_role("button", name="Create 20 questions").click()
    expect(page.get_by_role("status").or_(page.locator(".messages"))).to_contain_text(
        "Imported 20 questions"
    )
    expect(page.get_by_test_id("own-cards").locator("tbody tr")).to_have_count(20)
    assert Question.visible.to(user).filter(owner=user).count() == 20
