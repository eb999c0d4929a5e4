from django.urls import path

from . import views

urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("study/", views.study, name="study"),
    path("study/<int:question_id>/reveal/", views.reveal, name="reveal"),
    path("study/<int:question_id>/answer/", views.answer, name="answer"),
    path("accounts/signup/", views.signup, name="signup"),
]
