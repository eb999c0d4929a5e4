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
from .card_import import card_import_confirm, card_import_upload
from .cards import browse, card_detail, card_known, card_report, card_reset, card_suspend
from .notes import card_note
from .own_cards import own_card_delete, own_card_edit, own_card_list, own_card_new
from .pages import home
from .practice import (
    practice_follow_up,
    practice_follow_up_result,
    practice_grade,
    practice_home,
    practice_llm_feedback,
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
from .tags import tag_add, tag_remove

__all__ = [
    "card_import_upload",
    "card_import_confirm",
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
    "own_card_list",
    "own_card_new",
    "own_card_edit",
    "own_card_delete",
    "tag_add",
    "tag_remove",
    "practice_home",
    "practice_start",
    "practice_step",
    "practice_reveal",
    "practice_grade",
    "practice_follow_up",
    "practice_follow_up_result",
    "practice_report",
    "practice_replay",
    "practice_llm_feedback",
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
