from datetime import timedelta

from django.db import migrations, models

NEW = 0


def backfill(apps, schema_editor):
    """Replay each card's review log: a recall a day or more after the previous answer proves
    the card, "didn't know" or a first answer (after a reset) clears it."""
    Card = apps.get_model("flashcards", "Card")
    Review = apps.get_model("flashcards", "Review")
    proven: dict[int, object] = {}
    log = Review.objects.order_by("card_id", "reviewed_at", "pk").values_list(
        "card_id", "known", "state_before", "last_review_before", "reviewed_at"
    )
    for card_id, known, state_before, last_before, at in log.iterator(chunk_size=5000):
        if not known or state_before == NEW:
            proven.pop(card_id, None)
        elif last_before is not None and at - last_before >= timedelta(days=1):
            proven[card_id] = at
    cards = Card.objects.filter(pk__in=list(proven)).only("pk")
    for card in cards.iterator(chunk_size=5000):
        Card.objects.filter(pk=card.pk).update(proven_at=proven[card.pk])


class Migration(migrations.Migration):
    dependencies = [
        ("flashcards", "0007_drop_redundant_fk_indexes"),
    ]

    operations = [
        migrations.AddField(
            model_name="card",
            name="proven_at",
            field=models.DateTimeField(
                blank=True,
                help_text="When the learner last recalled the card after a day or more away; "
                "cleared when they forget it.",
                null=True,
            ),
        ),
        migrations.AddField(
            model_name="review",
            name="proven_at_before",
            field=models.DateTimeField(blank=True, null=True),
        ),
        migrations.RunPython(backfill, migrations.RunPython.noop),
    ]
