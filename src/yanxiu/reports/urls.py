from django.urls import path

from . import views
from .views import dashboards, evaluation, exports, notices, registers, summary

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("reports/registers/followups/", views.FollowupListView.as_view(), name="followups"),
    *registers.urlpatterns,
    *dashboards.urlpatterns,
    *notices.urlpatterns,
    *summary.urlpatterns,
    *exports.urlpatterns,
    *evaluation.urlpatterns,
]
