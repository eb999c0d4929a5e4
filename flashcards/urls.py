from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("study/", views.study, name="study"),
    path("study/undo/", views.undo, name="undo"),
    path("study/drill/", views.drill, name="drill"),
    path("study/<int:question_id>/reveal/", views.reveal, name="reveal"),
    path("study/<int:question_id>/answer/", views.answer, name="answer"),
    path("cards/<int:question_id>/", views.card_detail, name="card"),
    path("cards/<int:question_id>/suspend/", views.card_suspend, name="card_suspend"),
    path("cards/<int:question_id>/known/", views.card_known, name="card_known"),
    path("cards/<int:question_id>/reset/", views.card_reset, name="card_reset"),
    path("cards/<int:question_id>/report/", views.card_report, name="card_report"),
    path("account/whoami/", views.whoami, name="whoami"),
    path("account/data/", views.your_data, name="your_data"),
    path("account/data/progress.zip", views.export_csv, name="export_csv"),
    path("account/data/progress.json", views.export_json, name="export_json"),
    path("account/data/questions.apkg", views.export_anki, name="export_anki"),
    path("account/delete/", views.delete_account, name="delete_account"),
    path("practice/", views.practice_home, name="practice"),
    path("practice/start/", views.practice_start, name="practice_start"),
    path("practice/<int:interview_id>/", views.practice_step, name="practice_step"),
    path("practice/<int:interview_id>/report/", views.practice_report, name="practice_report"),
    path("practice/<int:interview_id>/replay/", views.practice_replay, name="practice_replay"),
    path(
        "practice/<int:interview_id>/<int:position>/reveal/",
        views.practice_reveal,
        name="practice_reveal",
    ),
    path(
        "practice/<int:interview_id>/<int:position>/grade/",
        views.practice_grade,
        name="practice_grade",
    ),
    path(
        "practice/<int:interview_id>/<int:position>/follow-up/",
        views.practice_follow_up,
        name="practice_follow_up",
    ),
    path("browse/", views.browse, name="browse"),
    path("stats/", views.statistics, name="statistics"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/plan/", views.apply_plan, name="apply_plan"),
    path("settings/theme/", views.theme_toggle, name="theme"),
    path("settings/reminders/", views.reminder_settings, name="reminder_settings"),
    path(
        "reminders/unsubscribe/<str:token>/",
        views.reminder_unsubscribe,
        name="reminder_unsubscribe",
    ),
]
