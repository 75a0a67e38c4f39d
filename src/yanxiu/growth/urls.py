"""Growth URLs: each area's patterns live beside its views (``views/<area>.py``)."""

from .views import imports, mentors, plans, progress, records, setup, years

app_name = "growth"
urlpatterns = [*records.urls, *setup.urls, *progress.urls, *imports.urls, *years.urls, *plans.urls, *mentors.urls]
