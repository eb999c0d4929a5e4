"""The question bank, each learner's card states, their review log and study settings."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Exists, F, FilteredRelation, OuterRef, Q, Subquery

from .fixture import validate_key


class Section(models.Model):
    key = models.SlugField(max_length=100, unique=True, validators=[validate_key])
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.title


class Subsection(models.Model):
    section = models.ForeignKey(Section, on_delete=models.PROTECT, related_name="subsections")
    key = models.SlugField(max_length=100, unique=True, validators=[validate_key])
    title = models.CharField(max_length=200)
    position = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["section__position", "position", "id"]

    def __str__(self) -> str:
        return f"{self.section.title} › {self.title}"


class QuestionQuerySet(models.QuerySet):
    def active(self) -> QuestionQuerySet:
        # A bank question always has a subsection; an own card may sit in "My questions" (none).
        return self.filter(Q(subsection__isnull=False) | Q(owner__isnull=False), is_active=True)

    def in_bank_order(self) -> QuestionQuerySet:
        """Bank order; own cards in "My questions" (no subsection) come last."""
        return self.order_by(
            F("subsection__section__position").asc(nulls_last=True),
            "subsection__position",
            "position",
            "pk",
        )

    def tagged(self, tag: Tag) -> QuestionQuerySet:
        # A subquery, not a join: it cannot duplicate rows or meet with_card_for()'s join.
        return self.filter(pk__in=Tagging.objects.filter(tag=tag).values("question_id"))

    def with_card_for(self, user) -> QuestionQuerySet:
        """Annotate each question with the learner's card state and their last answer."""
        last = Review.objects.filter(user=user, question=OuterRef("pk")).order_by("-reviewed_at")
        return self.annotate(
            mine=FilteredRelation("cards", condition=Q(cards__user=user)),
            card_state=F("mine__state"),
            card_due=F("mine__due"),
            card_suspended=F("mine__suspended"),
            card_stability=F("mine__stability"),
            card_last_review=F("mine__last_review"),
            card_proven_at=F("mine__proven_at"),
            last_rating=Subquery(last.values("rating")[:1]),
            last_confidence=Subquery(last.values("confidence")[:1]),
            last_reviewed_at=Subquery(last.values("reviewed_at")[:1]),
        )

    def in_state(self, state: str) -> QuestionQuerySet:
        """Filter questions annotated by with_card_for() by the learner's card state.

        "known" keeps the candidates (review state, recalled after a day away); whether their
        recall is still high enough is knowledge.question_known()'s to say.
        """
        if state == "suspended":
            return self.filter(card_suspended=True)
        # Spelled out: exclude(card_suspended=True) became NOT (suspended), which is NULL (so
        # false) for a question with no card, and the "New" filter showed no unstudied card.
        studying = self.filter(Q(card_suspended=False) | Q(card_suspended__isnull=True))
        if state == "new":
            return studying.filter(Q(card_state__isnull=True) | Q(card_state=Card.State.NEW))
        if state == "learning":
            return studying.filter(card_state__in=[Card.State.LEARNING, Card.State.RELEARNING])
        if state == "review":
            return studying.filter(card_state=Card.State.REVIEW)
        if state == "known":
            return self.filter(card_state=Card.State.REVIEW, card_proven_at__isnull=False)
        return self

    def unstudied_by(self, user) -> QuestionQuerySet:
        """Active questions the user has not started: no card, or a new card not suspended."""
        started = Card.objects.filter(question=OuterRef("pk"), user=user).exclude(NEW_CARD)
        return self.active().filter(~Exists(started))


class BankQuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    """The bank only: learners' own cards are never seen through `Question.objects`."""

    def get_queryset(self) -> QuestionQuerySet:
        return super().get_queryset().filter(owner__isnull=True)


class VisibleQuestionManager(models.Manager.from_queryset(QuestionQuerySet)):
    """What one learner may see: the bank and their own cards (`Question.visible.to(user)`)."""

    def get_queryset(self) -> QuestionQuerySet:
        return super().get_queryset().filter(owner__isnull=True)

    def to(self, user) -> QuestionQuerySet:
        """The bank and `user`'s own cards (`user` a user or their id)."""
        return super().get_queryset().filter(Q(owner__isnull=True) | Q(owner=user))


class Question(models.Model):
    class Origin(models.TextChoices):
        SEED = "seed", "Seed document"
        ADDED = "added", "Added"
        OWN = "own", "Written by the learner"

    class Priority(models.TextChoices):
        HIGH = "high", "High"
        NORMAL = "normal", "Normal"
        LOW = "low", "Low"

    # NULL only for an own card placed in the learner's "My questions" (checked below).
    subsection = models.ForeignKey(
        Subsection, on_delete=models.PROTECT, related_name="questions", null=True
    )
    # An own card (#16): private to its owner; NULL for the bank. Its rank comes from its
    # priority (flashcards/own_cards.py).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        editable=False,
        related_name="own_questions",
    )
    priority = models.CharField(max_length=6, choices=Priority.choices, blank=True, editable=False)
    key = models.SlugField(max_length=120, unique=True, validators=[validate_key])
    prompt = models.TextField()
    answer = models.TextField(blank=True, help_text="Markdown.")
    key_points = models.JSONField(default=list, blank=True)
    follow_up = models.TextField(blank=True)
    follow_up_answer = models.TextField(blank=True, help_text="Markdown.")
    follow_up_key_points = models.JSONField(default=list, blank=True)
    # Cues for the built-in coach, one list per key point in the same order ([] = none yet);
    # edited in the admin on the key point lines ("point | cue; cue").
    key_point_cues = models.JSONField(default=list, blank=True, editable=False)
    follow_up_key_point_cues = models.JSONField(default=list, blank=True, editable=False)
    rank = models.PositiveIntegerField(
        db_index=True, help_text="Interview likelihood: 1 is the most likely question."
    )
    origin = models.CharField(max_length=10, choices=Origin.choices, default=Origin.ADDED)
    is_active = models.BooleanField(default=True)
    position = models.PositiveIntegerField(default=0)
    version = models.PositiveIntegerField(default=1)
    updated_at = models.DateTimeField(auto_now=True)

    # The first manager is Django's default (admin, forms, dumpdata): the bank only.
    objects = BankQuestionManager()
    visible = VisibleQuestionManager()

    class Meta:
        ordering = ["subsection__section__position", "subsection__position", "position"]
        constraints = [
            models.CheckConstraint(
                condition=Q(owner__isnull=False) | Q(subsection__isnull=False),
                name="bank_question_has_subsection",
            )
        ]

    def __str__(self) -> str:
        return self.prompt

    @property
    def placement(self) -> str:
        """Return where the question sits, as shown above it."""
        if self.subsection_id is None:
            return MY_QUESTIONS
        return f"{self.subsection.section.title} › {self.subsection.title}"

    @property
    def rank_badge(self) -> str:
        """Return the likelihood band shown on the card (an own card's priority)."""
        if self.owner_id is not None:
            return f"Mine · {self.get_priority_display().lower()} priority"
        for band in (10, 25, 50):
            if self.rank <= band:
                return f"Top {band}"
        return f"#{self.rank}"


# The learner's own area for own cards not placed under a bank subsection.
MY_QUESTIONS = "My questions"


# One definition of a new card and of a studying card (one in the learner's reviews), written
# for the ORM, for hand-written SQL (the learner's card aliased `c`) and for Python; a suspended
# card is neither. State 0 is Card.State.NEW. tests/test_queue.py checks the three agree.
NEW_CARD = Q(suspended=False, state=0)
STUDYING_CARD = Q(suspended=False) & ~Q(state=0)
NEW_CARD_SQL = "(NOT c.suspended AND c.state = 0)"
STUDYING_CARD_SQL = "(NOT c.suspended AND c.state <> 0)"


def is_new_card(state: int | None, suspended: bool | None) -> bool:
    """A new card: never studied (no card row: state None) or reset, and not suspended."""
    return not suspended and (state is None or state == 0)


def is_studying_card(state: int | None, suspended: bool | None) -> bool:
    """A card in the learner's reviews: started and not suspended."""
    return not suspended and state is not None and state != 0


class CardQuerySet(models.QuerySet):
    def for_user(self, user) -> CardQuerySet:
        return self.filter(user=user, question__is_active=True)

    def studying(self) -> CardQuerySet:
        return self.filter(STUDYING_CARD)


class Card(models.Model):
    """One learner's memory of one question, in the FSRS model's terms."""

    # Learner data never goes with a question: questions are deactivated, not deleted, and every
    # reference from learner data to the bank is PROTECT (Django refuses the delete, and the
    # database's foreign keys refuse a raw one). Deleting an account still removes everything.

    class State(models.IntegerChoices):
        NEW = 0, "New"
        LEARNING = 1, "Learning"
        REVIEW = 2, "Review"
        RELEARNING = 3, "Relearning"

    # No index of its own: (user, question) below leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="cards", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="cards")
    state = models.PositiveSmallIntegerField(choices=State.choices, default=State.NEW)
    step = models.PositiveSmallIntegerField(null=True, blank=True)
    stability = models.FloatField(null=True, blank=True)
    difficulty = models.FloatField(null=True, blank=True)
    due = models.DateTimeField(null=True, blank=True)
    last_review = models.DateTimeField(null=True, blank=True)
    reps = models.PositiveIntegerField(default=0)
    lapses = models.PositiveIntegerField(default=0)
    suspended = models.BooleanField(default=False)
    buried_until = models.DateTimeField(
        null=True, blank=True, help_text="Out of the study queue until then (the next study day)."
    )
    seen_version = models.PositiveIntegerField(
        default=0, help_text="The question version the learner last answered."
    )
    # Progress numbers that never flatter (#14): see flashcards/knowledge.py.
    proven_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="When the learner last recalled the card after a day or more away; "
        "cleared when they forget it.",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CardQuerySet.as_manager()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_card_per_user_question"),
        ]
        indexes = [
            models.Index(
                fields=["user", "due"],
                name="card_due_idx",
                condition=STUDYING_CARD,
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.question_id}"


class Review(models.Model):
    """One answer, with the card's state before and after so it can be undone and analysed."""

    class Confidence(models.IntegerChoices):
        LOW = 1, "Low"
        MEDIUM = 2, "Medium"
        HIGH = 3, "High"

    class Source(models.TextChoices):
        STUDY = "study", "Study"
        MARKED = "marked", "Marked as known"
        PRACTICE = "practice", "Practice interview"

    # The user and card have no single-column indexes: the composite indexes below lead with
    # them, and every answer inserts a review, so each index it does not need is a cost.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reviews", db_index=False
    )
    card = models.ForeignKey(Card, on_delete=models.CASCADE, related_name="reviews", db_index=False)
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reviews")
    known = models.BooleanField()
    confidence = models.PositiveSmallIntegerField(choices=Confidence.choices, null=True, blank=True)
    rating = models.PositiveSmallIntegerField()
    source = models.CharField(max_length=10, choices=Source.choices, default=Source.STUDY)
    reviewed_at = models.DateTimeField()
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    state_before = models.PositiveSmallIntegerField(choices=Card.State.choices)
    step_before = models.PositiveSmallIntegerField(null=True, blank=True)
    stability_before = models.FloatField(null=True, blank=True)
    difficulty_before = models.FloatField(null=True, blank=True)
    due_before = models.DateTimeField(null=True, blank=True)
    last_review_before = models.DateTimeField(null=True, blank=True)
    seen_version_before = models.PositiveIntegerField(
        default=0, help_text="The question version the learner had seen before this answer."
    )
    proven_at_before = models.DateTimeField(null=True, blank=True)  # the card's, for undo
    state_after = models.PositiveSmallIntegerField(choices=Card.State.choices)
    stability_after = models.FloatField()
    difficulty_after = models.FloatField()
    due_after = models.DateTimeField()
    # What the built-in coach suggested (flashcards.coach), when it read a typed answer; the
    # rating above is always the learner's own choice.
    suggested_rating = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        indexes = [
            models.Index(fields=["user", "reviewed_at"], name="review_user_time_idx"),
            models.Index(fields=["card", "reviewed_at"], name="review_card_time_idx"),
            models.Index(
                fields=["user", "question", "reviewed_at"], name="review_user_question_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.question_id} · {self.rating}"


class StudySettings(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="study_settings"
    )
    new_per_day = models.PositiveSmallIntegerField(
        default=10, validators=[MaxValueValidator(100)], help_text="New cards per study day."
    )
    desired_retention = models.FloatField(
        default=0.9, validators=[MinValueValidator(0.70), MaxValueValidator(0.97)]
    )
    time_zone = models.CharField(max_length=64, default="UTC")
    day_starts_at = models.PositiveSmallIntegerField(
        default=4,
        validators=[MaxValueValidator(23)],
        help_text="Hour at which a new study day begins.",
    )
    review_cap = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1), MaxValueValidator(9999)],
        help_text="Most reviews per study day; new cards wait on days with more due.",
    )
    interview_date = models.DateField(null=True, blank=True)
    # "Learn N more new cards now" raises one study day's new-card limit.
    extra_new = models.PositiveSmallIntegerField(default=0)
    extra_new_day = models.DateField(null=True, blank=True)

    class Theme(models.TextChoices):
        SYSTEM = "system", "Follow the system"
        LIGHT = "light", "Light"
        DARK = "dark", "Dark"

    theme = models.CharField(max_length=10, choices=Theme.choices, default=Theme.SYSTEM)
    # Study: a box for the learner's own answer on the card's front, read by the built-in coach.
    type_before_reveal = models.BooleanField(default=False)
    # When the learner last undid an answer: an undo sent from a page shown before then is a
    # repeat (double click, second tab) and is refused, so one request undoes one answer.
    last_undo_at = models.DateTimeField(null=True, blank=True)
    # Opted in to the LLM coach (flashcards.llm_coach): their typed answers are sent to the model.
    llm_coach = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Settings for {self.user}"


class QuestionRevision(models.Model):
    """A question's content as it was at one version, so learners can see what changed."""

    question = models.ForeignKey(Question, on_delete=models.CASCADE, related_name="revisions")
    version = models.PositiveIntegerField()
    prompt = models.TextField()
    answer = models.TextField(blank=True)
    key_points = models.JSONField(default=list, blank=True)
    follow_up = models.TextField(blank=True)
    follow_up_answer = models.TextField(blank=True)
    follow_up_key_points = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["question", "version"], name="one_revision_per_version")
        ]

    def __str__(self) -> str:
        return f"{self.question_id} v{self.version}"


class Report(models.Model):
    """A learner's report of a problem with a question's answer."""

    class Kind(models.TextChoices):
        WRONG = "wrong", "Wrong"
        UNCLEAR = "unclear", "Unclear"
        OUTDATED = "outdated", "Outdated"

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        RESOLVED = "resolved", "Resolved"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reports"
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="reports")
    version = models.PositiveIntegerField()
    kind = models.CharField(max_length=10, choices=Kind.choices)
    comment = models.TextField(blank=True, max_length=2000)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["user", "question", "version"], name="one_report_per_learner_version"
            )
        ]
        indexes = [models.Index(fields=["status", "created_at"], name="report_queue_idx")]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.question}"


class Interview(models.Model):
    """A practice interview: questions drawn by likelihood and weakness, answered out loud."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="interviews"
    )
    seed = models.BigIntegerField(help_text="The draw's random seed, kept so it can be replayed.")
    focus = models.CharField(max_length=120, default="bank")
    focus_label = models.CharField(max_length=200, default="Whole bank")
    question_ids = models.JSONField(help_text="The questions drawn, in the order asked.")
    replay_of = models.ForeignKey("self", null=True, blank=True, on_delete=models.SET_NULL)
    readiness_before = models.FloatField()
    readiness_after = models.FloatField(null=True, blank=True)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["user", "-started_at"], name="interview_user_idx")]

    def __str__(self) -> str:
        return f"Interview {self.pk} of {self.user}"


class InterviewAnswer(models.Model):
    """One question of a practice interview: what the learner said, and how they graded it."""

    interview = models.ForeignKey(Interview, on_delete=models.CASCADE, related_name="answers")
    position = models.PositiveSmallIntegerField()
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="+")
    shown_at = models.DateTimeField()
    revealed_at = models.DateTimeField(null=True, blank=True)
    graded_at = models.DateTimeField(null=True, blank=True)
    typed_answer = models.TextField(blank=True, max_length=10_000)
    points_covered = models.JSONField(default=list, blank=True)
    points_total = models.PositiveSmallIntegerField(default=0)
    would_pass = models.BooleanField(null=True)
    review = models.ForeignKey(Review, null=True, blank=True, on_delete=models.SET_NULL)
    follow_up_answer = models.TextField(blank=True, max_length=10_000)
    follow_up_passed = models.BooleanField(null=True)
    follow_up_at = models.DateTimeField(null=True, blank=True)
    # The built-in coach's reading of the typed answer, kept when it is revealed.
    coach_covered = models.JSONField(null=True, blank=True)
    coach_rating = models.PositiveSmallIntegerField(null=True, blank=True)
    # ... and of the follow-up answer, against the follow-up's key points.
    follow_up_coach_covered = models.JSONField(null=True, blank=True)
    follow_up_coach_rating = models.PositiveSmallIntegerField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["interview", "position"], name="one_answer_per_slot")
        ]
        ordering = ["position"]

    def __str__(self) -> str:
        return f"{self.interview_id} #{self.position}"

    @property
    def coach_missed(self) -> list[str]:
        """The key points the built-in coach did not find in the typed answer."""
        if self.coach_covered is None:
            return []
        points = self.question.key_points
        return [p for i, p in enumerate(points) if i not in self.coach_covered]

    @property
    def follow_up_coach_missed(self) -> list[str]:
        """The follow-up's key points the coach did not find in the follow-up answer."""
        if self.follow_up_coach_covered is None:
            return []
        points = self.question.follow_up_key_points
        return [p for i, p in enumerate(points) if i not in self.follow_up_coach_covered]

    @property
    def missed(self) -> list[str]:
        """The key points the learner's own checklist left unticked (empty until graded)."""
        if self.graded_at is None:
            return []
        return [p for i, p in enumerate(self.question.key_points) if i not in self.points_covered]

    @property
    def covered_share(self) -> float | None:
        return len(self.points_covered) / self.points_total if self.points_total else None

    @property
    def seconds(self) -> int | None:
        if self.revealed_at is None:
            return None
        return round((self.revealed_at - self.shown_at).total_seconds())


# --- Hardening: the sign-up limit ------------------------------------------------------------


class SignupWindow(models.Model):
    """How many sign-ups one address attempted in one clock hour (flashcards.account)."""

    address = models.CharField(max_length=45)
    window_start = models.DateTimeField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["address", "window_start"], name="one_signup_window_per_address"
            )
        ]

    def __str__(self) -> str:
        return f"{self.address} from {self.window_start:%Y-%m-%d %H:00}: {self.count}"


# --- Daily reminders (#17) -------------------------------------------------------------------


class ReminderPreference(models.Model):
    """A learner's opt-in to a daily reminder mail at a local hour."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminder_preference"
    )
    enabled = models.BooleanField(default=False)
    hour = models.PositiveSmallIntegerField(
        default=8, validators=[MaxValueValidator(23)], help_text="Local hour, 0–23."
    )
    # Set when the mail server refused the address; cleared when the learner turns reminders on.
    undeliverable = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"{self.user_id} at {self.hour}:00" + ("" if self.enabled else " (off)")


class Reminder(models.Model):
    """The one reminder of a learner's study day, and what became of it."""

    class Status(models.TextChoices):
        PENDING = "pending", "Pending"
        SENT = "sent", "Sent"
        FAILED = "failed", "Failed (retried next run)"
        BOUNCED = "bounced", "Refused by the mail server"
        NOTHING_DUE = "nothing_due", "Not sent: nothing due"

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="reminders"
    )
    study_day = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PENDING)
    email = models.EmailField(max_length=254, blank=True)
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    unsubscribed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "study_day"], name="one_reminder_per_study_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} {self.study_day} {self.status}"


# --- Tags (#16) ------------------------------------------------------------------------------


class Tag(models.Model):
    """A learner's label for cards (bank or own); the name is normalised (flashcards/tags.py)."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="tags"
    )
    name = models.CharField(max_length=40)
    questions = models.ManyToManyField(Question, through="Tagging", related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "name"], name="one_tag_per_name")]
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class Tagging(models.Model):
    """One card carrying one of its learner's tags."""

    # No single-column indexes: the unique (tag, question) and the (question, tag) index lead
    # with each. PROTECT like all learner data on the bank; an own card's go with it explicitly.
    tag = models.ForeignKey(Tag, on_delete=models.CASCADE, related_name="taggings", db_index=False)
    question = models.ForeignKey(
        Question, on_delete=models.PROTECT, related_name="taggings", db_index=False
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["tag", "question"], name="one_tagging_per_card")
        ]
        indexes = [models.Index(fields=["question", "tag"], name="tagging_question_idx")]

    def __str__(self) -> str:
        return f"{self.tag} · {self.question_id}"


# --- The optional LLM coach (#13, engine 2) --------------------------------------------------


class LLMFeedback(models.Model):
    """The LLM coach's reading of one typed answer (or follow-up), filled in by a task."""

    class Part(models.TextChoices):
        ANSWER = "answer", "Answer"
        FOLLOW_UP = "follow_up", "Follow-up"

    class Status(models.TextChoices):
        QUEUED = "queued", "Being prepared"
        DONE = "done", "Ready"
        UNAVAILABLE = "unavailable", "Unavailable"
        OVER_LIMIT = "over_limit", "Not sent: daily limit reached"

    answer = models.ForeignKey(
        InterviewAnswer, on_delete=models.CASCADE, related_name="llm_feedback"
    )
    part = models.CharField(max_length=10, choices=Part.choices, default=Part.ANSWER)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.QUEUED)
    model = models.CharField(max_length=200)
    payload = models.JSONField(null=True, blank=True)  # only ever a response that validated
    error = models.CharField(max_length=300, blank=True)  # our words for the learner, not raw
    attempts = models.PositiveSmallIntegerField(default=0)
    created_at = models.DateTimeField()
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["answer", "part"], name="one_llm_feedback_per_part")
        ]

    def __str__(self) -> str:
        return f"{self.answer_id} {self.part}: {self.status}"

    @property
    def pending(self) -> bool:
        return self.status == self.Status.QUEUED

    def point_verdicts(self) -> list[tuple[str, dict]]:
        """Each key point of the part answered with the model's verdict on it."""
        question = self.answer.question
        follow_up = self.part == self.Part.FOLLOW_UP
        points = question.follow_up_key_points if follow_up else question.key_points
        return list(zip(points, (self.payload or {}).get("key_points", []), strict=False))


class LLMUsage(models.Model):
    """How many answers a learner sent to the LLM coach on one (UTC) day: the daily budget."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    day = models.DateField()
    count = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "day"], name="one_llm_usage_per_day")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} on {self.day}: {self.count}"


# --- Personal notes (#16) --------------------------------------------------------------------

NOTE_MAX_LENGTH = 5000  # characters of Markdown: a paragraph or two of one's own example


class Note(models.Model):
    """A learner's own note on a card (Markdown), shown under the model answer; only theirs."""

    # No index of its own: (user, question) below leads with the user.
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notes", db_index=False
    )
    question = models.ForeignKey(Question, on_delete=models.PROTECT, related_name="notes")
    text = models.TextField(max_length=NOTE_MAX_LENGTH)
    updated_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "question"], name="one_note_per_user_question")
        ]

    def __str__(self) -> str:
        return f"{self.user_id} · {self.question_id}"
