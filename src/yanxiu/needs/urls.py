from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.SurveyListView.as_view(), name="list"),
    path("new/", views.SurveyCreateView.as_view(), name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/close/", views.SurveyCloseView.as_view(), name="close"),
    path("<int:pk>/respond/", views.RespondView.as_view(), name="respond"),
    path("county/<int:county_id>/", views.county_summary, name="county"),
]
