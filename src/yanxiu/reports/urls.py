from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("registers/followups/", views.FollowupListView.as_view(), name="followups"),
]
