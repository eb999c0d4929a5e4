"""Send the daily reminders whose hour has come (run it every few minutes)."""

import time

from django.core.management.base import BaseCommand
from django.db import close_old_connections
from django.utils import timezone

from flashcards import reminders


class Command(BaseCommand):
    help = "Send each learner's daily reminder once their chosen local hour has come."

    def add_arguments(self, parser):
        parser.add_argument(
            "--every",
            type=int,
            default=0,
            metavar="SECONDS",
            help="Keep running, sending every SECONDS (for the production command).",
        )

    def handle(self, *args, every: int = 0, **options):
        while True:
            outcome = reminders.send_due(timezone.now())
            summary = ", ".join(f"{n} {status}" for status, n in sorted(outcome.items()))
            self.stdout.write(f"reminders: {summary or 'none due'}")
            if not every:
                return
            close_old_connections()
            time.sleep(every)
