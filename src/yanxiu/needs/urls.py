from django.urls import path

from . import views

app_name = "needs"
urlpatterns = [
    path("", views.survey_list, name="list"),
    path("new/", views.SurveyCreateView.as_view(), name="create"),
    path("<int:pk>/", views.survey_detail, name="detail"),
    path("<int:pk>/close/", views.survey_close, name="close"),
    path("<int:pk>/respond/", views.RespondView.as_view(), name="respond"),
    path("county/<int:county_id>/", views.county_summary, name="county"),
]
