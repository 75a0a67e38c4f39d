"""The notices pages of the reports app."""

urlpatterns: list = []
