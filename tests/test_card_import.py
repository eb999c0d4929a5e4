"""Importing own cards from CSV / tab-separated files: preview, problems by line and column,
all or nothing, duplicates skipped, limits, encodings, and a round trip through Your data."""

import csv
import io
import zipfile

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from flashcards import card_import
from flashcards.models import Question, Subsection, Tagging

from .conftest import make_own_card, make_user


def _own(user) -> list[Question]:
    return list(Question.visible.to(user).filter(owner=user).order_by("id"))


def _upload(client, content: bytes | str, name="cards.txt", **fields):
    data = content.encode() if isinstance(content, str) else content
    form = {"placement": "my-questions", "priority": "normal", **fields,
            "file": SimpleUploadedFile(name, data, content_type="text/plain")}  # fmt: skip
    return client.post(reverse("card_import"), form)


def _anki_lines(count: int) -> list[str]:
    return [
        f"What is idea {n}?\tIdea {n} explained.\tfirst point {n}; second point {n}"
        f"\tideas batch-{n % 3}"
        for n in range(1, count + 1)
    ]


def test_a_20_line_file_with_two_bad_lines_creates_nothing_until_fixed(client_for, db):
    user = make_user()
    client = client_for(user)
    lines = _anki_lines(20)
    lines[6] = "\tAn answer without its question"  # line 7: empty question
    lines[13] = "What is idea 14?\tIdea 14.\t\tnot/a/tag"  # line 14: a tag that cannot be one
    response = _upload(client, "\n".join(lines))
    assert response.status_code == 400
    html = response.content.decode()
    assert "line 7, column 1: the question is empty" in html
    assert "line 14, column 4: tag &#x27;not/a/tag&#x27;" in html
    assert "Nothing was created" in html and not _own(user)
    # Confirming now has nothing checked to create.
    assert client.post(reverse("card_import_confirm")).status_code == 400 and not _own(user)

    lines[6] = "What is idea 7?\tIdea 7 explained."
    lines[13] = "What is idea 14?\tIdea 14.\t\tsystems"
    response = _upload(client, "\n".join(lines))
    assert response.status_code == 200
    assert "<strong>20</strong> questions to create" in response.content.decode()
    assert not _own(user), "the preview creates nothing"
    response = client.post(reverse("card_import_confirm"))
    assert response.status_code == 302 and response["Location"] == reverse("own_cards")
    created = _own(user)
    assert [q.prompt for q in created] == [f"What is idea {n}?" for n in range(1, 21)]
    assert created[0].key_points == ["first point 1", "second point 1"]
    assert created[0].subsection is None and created[0].priority == "normal"
    tagged = Tagging.objects.filter(question=created[13]).values_list("tag__name", flat=True)
    assert list(tagged) == ["systems"]
    # The same confirmation again creates nothing more.
    assert client.post(reverse("card_import_confirm")).status_code == 400
    assert len(_own(user)) == 20


def test_a_header_row_names_the_columns_in_any_order_with_quoted_multiline_cells(client_for, db):
    user = make_user()
    text = (
        "Tags,Answer,Question,Key points\n"
        'rag,"Retrieve, then generate.\n\nCite sources.",What is RAG?,"retrieval\ngeneration"\n'
    )
    client = client_for(user)
    assert _upload(client, text, name="cards.csv").status_code == 200
    client.post(reverse("card_import_confirm"))
    [question] = _own(user)
    assert question.prompt == "What is RAG?"
    assert question.answer == "Retrieve, then generate.\n\nCite sources."
    assert question.key_points == ["retrieval", "generation"]


def test_quizlet_and_anki_plain_text_exports_are_read(client_for, db):
    user = make_user()
    client = client_for(user)
    quizlet = "LoRA\tLow-rank adapters added to frozen weights\nRLHF\tRL from human feedback\n"
    assert _upload(client, quizlet).status_code == 200
    client.post(reverse("card_import_confirm"))
    anki = ("#separator:tab\n#html:true\n#notetype column:1\n#tags column:4\n"
            "Basic\tWhat is DPO?\tDirect preference optimisation.\talignment rl\n")  # fmt: skip
    assert _upload(client, anki).status_code == 200
    client.post(reverse("card_import_confirm"))
    prompts = {q.prompt: q for q in _own(user)}
    assert set(prompts) == {"LoRA", "RLHF", "What is DPO?"}
    assert prompts["What is DPO?"].answer == "Direct preference optimisation."
    tagged = Tagging.objects.filter(question=prompts["What is DPO?"]).values_list(
        "tag__name", flat=True
    )
    assert sorted(tagged) == ["alignment", "rl"]


def test_duplicates_of_own_cards_and_within_the_file_are_skipped_and_counted(client_for, db):
    user = make_user()
    make_own_card(user, prompt="What is a KV cache?")
    make_own_card(make_user(), prompt="What is beam search?")  # another learner's: no matter
    text = "what is a  KV cache?\tagain\nWhat is beam search?\tone\nWHAT IS BEAM SEARCH?\ttwo\n"
    client = client_for(user)
    html = _upload(client, text).content.decode()
    assert "<strong>1</strong> question to create" in html and "2 already in your questions" in html
    client.post(reverse("card_import_confirm"))
    assert [q.prompt for q in _own(user)] == ["What is a KV cache?", "What is beam search?"]


def test_placement_and_priority_apply_to_every_card(client_for, bank):
    user = make_user()
    subsection = Subsection.objects.order_by("id").first()
    client = client_for(user)
    _upload(client, "Q one?\tA\nQ two?\tB", placement=subsection.key, priority="high")
    client.post(reverse("card_import_confirm"))
    assert {(q.subsection_id, q.priority) for q in _own(user)} == {(subsection.pk, "high")}


@pytest.mark.parametrize(("content", "said"), [
    (b"Q one?\tA\nQ two?\t\xe9t\xe9\n", "Line 2 is not UTF-8 text"),
    (b"Q\x00?\tA\n", "NUL character"),
    (b"x" * (card_import.MAX_BYTES + 1), "at most 1,000,000 are allowed"),
    (b"\n\n", "the file holds no cards"),
])  # fmt: skip
def test_bad_files_get_a_clear_400_and_create_nothing(client_for, db, content, said):
    user = make_user()
    response = _upload(client_for(user), content)
    assert response.status_code == 400 and said in response.content.decode()
    assert not _own(user)


def test_limits_on_rows_and_fields_are_enforced_naming_the_place(client_for, db):
    user = make_user()
    client = client_for(user)
    many = "\n".join(f"Q {n}?\tA" for n in range(card_import.MAX_ROWS + 1))
    html = _upload(client, many).content.decode()
    assert f"line {card_import.MAX_ROWS + 1}: more than {card_import.MAX_ROWS} cards" in html
    long = "Q?\t" + "a" * 20_001 + "\n"
    html = _upload(client, long).content.decode()
    assert "line 1, column 2: &#x27;answer&#x27; is 20001 characters" in html
    extra = "Q?\tA\tpoint\ttag\tsurprise\n"
    assert "line 1, column 5: an extra column" in _upload(client, extra).content.decode()
    assert not _own(user)


def test_an_export_of_own_cards_imported_into_a_new_account_recreates_them(client_for, bank):
    ann = make_user("ann")
    subsection = Subsection.objects.order_by("id").first()
    make_own_card(ann, prompt="=SUM(A1) is not a formula here?",
                  answer="Line one.\n\nLine two; more.",
                  key_points=["point; with a semicolon", "second"], follow_up="And then?",
                  subsection=subsection, priority="low")  # fmt: skip
    make_own_card(ann, prompt="Plain one?", answer="Yes.")
    raw = b"".join(client_for(ann).get(reverse("export_csv")).streaming_content)
    exported = zipfile.ZipFile(io.BytesIO(raw)).read("own_cards.csv")
    bob = make_user("bob")
    client = client_for(bob)
    assert _upload(client, exported, name="own_cards.csv").status_code == 200
    client.post(reverse("card_import_confirm"))
    fields = ("prompt", "answer", "key_points", "follow_up", "subsection_id", "priority")
    recreated = sorted(tuple(getattr(q, f) for f in fields) for q in _own(bob))
    original = sorted(tuple(getattr(q, f) for f in fields) for q in _own(ann))
    assert recreated == original
    rows = list(csv.reader(io.StringIO(exported.decode("utf-8-sig"))))
    assert rows[0][0] == "key"  # the export's own key column is read past, not imported


def test_import_needs_a_login_and_csrf(db):
    anonymous = Client()
    response = anonymous.get(reverse("card_import"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(make_user())
    assert _upload(strict, "Q?\tA").status_code == 403
    assert strict.post(reverse("card_import_confirm")).status_code == 403
