"""The registers pages of the reports app."""

urlpatterns: list = []
