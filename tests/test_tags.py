"""A learner's tags: added and removed on the card page and during study, browse by tag, study a
tag, and nobody else's."""

import pytest
import time_machine
from django.urls import reverse

from flashcards import queue, tags
from flashcards.models import StudySettings, Tag, Tagging

from .conftest import answer, make_own_card, make_user

HTMX = {"HX-Request": "true"}


@pytest.fixture(autouse=True)
def frozen_clock(now):
    with time_machine.travel(now, tick=False):
        yield


@pytest.mark.parametrize(
    ("raw", "name"),
    [("rag", "rag"), ("  System Design ", "system-design"), ("KV-cache", "kv-cache")],
)
def test_tag_names_are_normalised(raw, name):
    assert tags.normalise(raw) == name


@pytest.mark.parametrize("raw", ["", "   ", "c++", "a--b", "-rag", "x" * 41, "naïve"])
def test_a_name_that_cannot_be_a_tag_is_refused(raw):
    with pytest.raises(ValueError, match="letters, digits and hyphens"):
        tags.normalise(raw)


def test_tagging_on_the_card_page_with_htmx_swaps_the_tags_in_place(client, bank):
    ann = make_user("ann")
    client.force_login(ann)
    url = reverse("tag_add", args=[bank[0].pk])
    response = client.post(url, {"name": " Transformers "}, headers=HTMX)
    assert response.status_code == 200
    body = response.content.decode()
    assert 'id="tags-' in body and "transformers" in body and "<html" not in body
    client.post(url, {"name": "transformers"}, headers=HTMX)  # twice is once
    assert Tagging.objects.filter(tag__user=ann, question=bank[0]).count() == 1
    page = client.get(reverse("card", args=[bank[0].pk])).content.decode()
    assert f'href="{reverse("browse")}?tag=transformers"' in page


def test_without_javascript_tagging_goes_back_to_the_page(client, bank):
    ann = make_user("ann")
    client.force_login(ann)
    card_url = reverse("card", args=[bank[0].pk])
    response = client.post(reverse("tag_add", args=[bank[0].pk]), {"name": "rag", "next": card_url})
    assert response.status_code == 302 and response["Location"] == card_url
    response = client.post(
        reverse("tag_remove", args=[bank[0].pk]), {"name": "rag", "next": card_url}
    )
    assert response.status_code == 302
    assert not Tag.objects.filter(user=ann).exists()  # a tag on no card goes


def test_a_bad_tag_name_is_400_with_the_rule_and_nothing_saved(client, bank):
    ann = make_user("ann")
    client.force_login(ann)
    response = client.post(reverse("tag_add", args=[bank[0].pk]), {"name": "c++"}, headers=HTMX)
    assert response.status_code == 400
    assert "letters, digits and hyphens" in response.content.decode()
    assert not Tag.objects.exists() and not Tagging.objects.exists()


def test_removing_a_tag_that_is_not_on_the_card_is_404(client, bank):
    ann = make_user("ann")
    tags.tag_add(user=ann, question=bank[1], name="rag")
    client.force_login(ann)
    response = client.post(reverse("tag_remove", args=[bank[0].pk]), {"name": "rag"}, headers=HTMX)
    assert response.status_code == 404
    assert Tagging.objects.filter(question=bank[1]).count() == 1


def test_the_back_of_a_card_during_study_offers_its_tags(client, bank):
    ann = make_user("ann")
    client.force_login(ann)
    item = client.get(reverse("study")).context["item"]
    tags.tag_add(user=ann, question=item.question, name="attention")
    back = client.get(reverse("reveal", args=[item.question.pk]), headers=HTMX).content.decode()
    assert f'action="{reverse("tag_add", args=[item.question.pk])}"' in back
    assert "?tag=attention" in back
    added = client.post(
        reverse("tag_add", args=[item.question.pk]), {"name": "revise"}, headers=HTMX
    )
    assert added.status_code == 200 and "revise" in added.content.decode()


def test_browse_filters_by_tag_and_the_query_lives_in_the_url(client, bank, now):
    ann = make_user("ann")
    mine = make_own_card(ann, prompt="Own tagged question?")
    for question in (bank[3], bank[7], mine):
        tags.tag_add(user=ann, question=question, name="rag")
    tags.tag_add(user=ann, question=bank[9], name="other")
    client.force_login(ann)
    response = client.get(reverse("browse") + "?tag=rag")
    assert response.status_code == 200
    assert {q.pk for q in response.context["questions"]} == {bank[3].pk, bank[7].pk, mine.pk}
    page = response.content.decode()
    assert f'href="{reverse("study")}?scope=tag:rag"' in page
    searched = client.get(reverse("browse") + "?tag=rag&state=new", headers=HTMX)
    assert searched.content.decode().count('class="question-row"') == 3


def test_browsing_a_tag_one_does_not_have_is_404(client, bank):
    ann, bob = make_user("ann"), make_user("bob")
    tags.tag_add(user=ann, question=bank[0], name="ann-secret-tag")
    client.force_login(bob)
    assert client.get(reverse("browse") + "?tag=ann-secret-tag").status_code == 404
    assert client.get(reverse("study") + "?scope=tag:ann-secret-tag").status_code == 404
    assert b"ann-secret-tag" not in client.get(reverse("browse")).content
    assert b"ann-secret-tag" not in client.get(reverse("card", args=[bank[0].pk])).content


def test_studying_a_tag_shows_and_counts_only_its_cards(client, bank, now):
    ann = make_user("ann")
    tagged = [bank[40], bank[80]]
    for question in tagged:
        tags.tag_add(user=ann, question=question, name="deep-dive")
    tags.tag_add(user=ann, question=bank[5], name="elsewhere")  # another tag: not in scope
    answer(ann, bank[40], 1, now)  # now learning, due in a minute
    client.force_login(ann)
    url = reverse("study") + "?scope=tag:deep-dive"
    response = client.get(url)
    assert response.status_code == 200
    today = response.context["today"]
    # bank[40], met today and coming back today, still counts as new (README: the counters)
    assert (today.new, today.left.new, today.left.learning, today.done) == (1, 2, 0, 1)
    assert response.context["item"].question.pk == bank[80].pk
    scope = queue.Scope("tag", "deep-dive", "Tag: deep-dive")
    settings = StudySettings.objects.get(user=ann)
    assert queue.today(ann, settings, now, scope).new == 1
    client.post(
        reverse("answer", args=[bank[80].pk]), {"rating": 3, "reps": 0, "scope": "tag:deep-dive"}
    )
    after = client.get(url).context["today"]
    assert (after.done, after.new) == (2, 0)


def test_another_learners_tags_never_reach_my_scope_or_counts(client, bank, now):
    ann, bob = make_user("ann"), make_user("bob")
    tags.tag_add(user=ann, question=bank[0], name="rag")
    tags.tag_add(user=bob, question=bank[5], name="rag")
    client.force_login(bob)
    response = client.get(reverse("study") + "?scope=tag:rag")
    assert response.context["today"].left.new == 1
    assert response.context["item"].question.pk == bank[5].pk


def test_the_new_filter_shows_cards_never_studied(client, bank, now):
    """A question with no card is new (the filter once read NULL as 'suspended')."""
    ann = make_user("ann")
    answer(ann, bank[0], 3, now)
    client.force_login(ann)
    html = client.get(reverse("browse"), {"state": "new"}).content.decode()
    assert html.count('class="question-row"') == len(bank) - 1
