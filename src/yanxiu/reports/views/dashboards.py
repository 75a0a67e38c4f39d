"""The dashboards pages of the reports app."""

urlpatterns: list = []
