import json
import sys
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from flashcards.coach import coach_question
from flashcards.models import Question


class Command(BaseCommand):
    help = "Show the built-in coach's verdict on an answer to a bank question."

    def add_arguments(self, parser):
        parser.add_argument("question_key")
        parser.add_argument(
            "--answer-file", default="-", help="file with the typed answer; - (default) is stdin"
        )
        parser.add_argument("--follow-up", action="store_true", help="coach the follow-up answer")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, question_key, answer_file, follow_up, json: bool, **options):
        question = Question.objects.filter(key=question_key).first()
        if question is None:
            raise CommandError(f"no question with key '{question_key}'")
        try:
            text = sys.stdin.read() if answer_file == "-" else Path(answer_file).read_text()
        except (OSError, UnicodeDecodeError) as error:
            raise CommandError(f"cannot read {answer_file}: {error}") from None
        feedback = coach_question(question, text, follow_up=follow_up)
        if json:
            self.stdout.write(_json.dumps(feedback.as_dict(), indent=2, ensure_ascii=False))
            return
        for verdict in feedback.points:
            if verdict.covered:
                said = ", ".join(f"“{text[m.start : m.end]}”" for m in verdict.matches)
                self.stdout.write(f"covered  {verdict.point}  ({said})")
            else:
                self.stdout.write(f"missed   {verdict.point}")
        if feedback.message:
            self.stdout.write(feedback.message)
        self.stdout.write(f"Suggested rating: {feedback.rating_label}")


_json = json
