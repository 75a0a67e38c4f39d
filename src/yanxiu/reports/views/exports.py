"""The exports pages of the reports app."""

urlpatterns: list = []
