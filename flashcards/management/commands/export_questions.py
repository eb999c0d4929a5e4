from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flashcards.exporting import export_text
from flashcards.models import Question
from flashcards.seeding import DEFAULT_FIXTURE


class Command(BaseCommand):
    help = "Write the database's active question bank in the fixture format."

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FIXTURE, help="output path")

    def handle(self, *args, file: Path, **options):
        file = Path(file)
        text = export_text()
        try:
            file.write_text(text, encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot write {file}: {error.strerror}") from None
        count = Question.objects.active().count()
        self.stdout.write(self.style.SUCCESS(f"Wrote {count} questions to {file}"))
