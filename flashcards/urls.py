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
    path("browse/", views.browse, name="browse"),
    path("stats/", views.statistics, name="statistics"),
    path("settings/", views.settings_view, name="settings"),
    path("settings/plan/", views.apply_plan, name="apply_plan"),
    path("accounts/signup/", views.signup, name="signup"),
]
