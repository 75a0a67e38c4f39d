"""Routine URLs: each area's patterns live beside its views (``views/<area>.py``)."""

from .views import checks, commendations, competitions, preps, quality, scores, students

app_name = "routine"
urlpatterns = [*checks.urls, *preps.urls, *scores.urls, *quality.urls, *students.urls, *competitions.urls, *commendations.urls]
