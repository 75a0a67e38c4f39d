from django.urls import path

from . import questionnaire_views as qv
from . import views

app_name = "needs"
urlpatterns = [
    # Questionnaires (needs surveys, session evaluations and others built from questions)
    path("", qv.QuestionnaireListView.as_view(), name="list"),
    path("new/", qv.QuestionnaireCreateView.as_view(), name="create"),
    path("mine/", qv.my_questionnaires, name="mine"),
    path("sessions/<int:session_id>/evaluation/", qv.session_evaluation_create, name="session_evaluation_create"),
    path("q/<int:pk>/", qv.questionnaire_detail, name="questionnaire"),
    path("q/<int:pk>/settings/", qv.QuestionnaireSettingsView.as_view(), name="questionnaire_settings"),
    path("q/<int:pk>/questions/add/", qv.question_add, name="question_add"),
    path("q/<int:pk>/questions/<int:question_pk>/", qv.QuestionEditView.as_view(), name="question_edit"),
    path("q/<int:pk>/questions/<int:question_pk>/delete/", qv.question_delete, name="question_delete"),
    path("q/<int:pk>/questions/<int:question_pk>/move/", qv.question_move, name="question_move"),
    path("q/<int:pk>/preview/", qv.questionnaire_preview, name="questionnaire_preview"),
    path("q/<int:pk>/publish/", qv.PublishView.as_view(), name="questionnaire_publish"),
    path("q/<int:pk>/close/", qv.CloseView.as_view(), name="questionnaire_close"),
    path("q/<int:pk>/remind/", qv.RemindView.as_view(), name="questionnaire_remind"),
    path("q/<int:pk>/export/", qv.questionnaire_export, name="questionnaire_export"),
    path("q/<int:pk>/answer/", qv.answer, name="answer"),
    # The fixed needs surveys of earlier years: their results stay readable; one still open may be answered.
    path("surveys/", views.SurveyListView.as_view(), name="surveys"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/close/", views.SurveyCloseView.as_view(), name="close"),
    path("<int:pk>/respond/", views.RespondView.as_view(), name="respond"),
    path("county/<int:county_id>/", views.county_summary, name="county"),
]
