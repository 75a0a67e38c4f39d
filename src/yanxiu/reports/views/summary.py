"""The summary pages of the reports app."""

urlpatterns: list = []
