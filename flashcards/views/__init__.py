"""Thin views, one module per feature: parse the request, call the domain functions, pick the
template or partial."""

from .account import (
    apply_plan,
    delete_account,
    export_anki,
    export_csv,
    export_json,
    settings_view,
    signup,
    theme_toggle,
    whoami,
    your_data,
)
from .cards import browse, card_detail, card_known, card_report, card_reset, card_suspend
from .notes import card_note
from .pages import home
from .practice import (
    practice_follow_up,
    practice_grade,
    practice_home,
    practice_replay,
    practice_report,
    practice_reveal,
    practice_start,
    practice_step,
)
from .progress import dashboard, statistics
from .pwa import manifest, offline, service_worker
from .reminders import reminder_settings, reminder_unsubscribe
from .study import answer, card_action, drill, learn_more, reveal, study, undo

__all__ = [
    "card_note",
    "whoami",
    "your_data",
    "export_csv",
    "export_json",
    "export_anki",
    "delete_account",
    "settings_view",
    "theme_toggle",
    "apply_plan",
    "signup",
    "card_detail",
    "card_suspend",
    "card_known",
    "card_reset",
    "card_report",
    "browse",
    "practice_home",
    "practice_start",
    "practice_step",
    "practice_reveal",
    "practice_grade",
    "practice_follow_up",
    "practice_report",
    "practice_replay",
    "home",
    "dashboard",
    "manifest",
    "offline",
    "service_worker",
    "reminder_settings",
    "reminder_unsubscribe",
    "statistics",
    "study",
    "reveal",
    "answer",
    "undo",
    "drill",
    "card_action",
    "learn_more",
]
