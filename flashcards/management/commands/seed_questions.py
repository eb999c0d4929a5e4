from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flashcards.fixture import FixtureError
from flashcards.seeding import DEFAULT_FIXTURE, seed_questions


class Command(BaseCommand):
    help = (
        "Load the question bank fixture: insert new, update changed, deactivate removed questions."
    )

    def add_arguments(self, parser):
        parser.add_argument("--file", type=Path, default=DEFAULT_FIXTURE, help="fixture path")
        parser.add_argument("--dry-run", action="store_true", help="print what would change only")

    def handle(self, *args, file: Path, dry_run: bool, **options):
        file = Path(file)
        try:
            text = file.read_text(encoding="utf-8")
        except OSError as error:
            raise CommandError(f"cannot read {file}: {error.strerror}") from None
        try:
            report = seed_questions(text=text, dry_run=dry_run)
        except FixtureError as error:
            raise CommandError(f"{file}: {error}; nothing was changed") from None
        # One line by default (what `make run` prints); each change with -v 2 or a dry run.
        if dry_run or options["verbosity"] >= 2:
            for line in report.lines:
                self.stdout.write(line)
        prefix = "Dry run, nothing written: would be " if dry_run else ""
        self.stdout.write(self.style.SUCCESS(f"Question bank: {prefix}{report.summary()}"))
