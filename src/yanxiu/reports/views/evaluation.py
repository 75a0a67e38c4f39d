"""The evaluation pages of the reports app."""

urlpatterns: list = []
