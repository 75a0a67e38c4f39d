from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("", views.home, name="home"),
    path("registers/followups/", views.followups, name="followups"),
]
