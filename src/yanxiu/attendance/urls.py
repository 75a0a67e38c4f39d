from django.conf import settings
from django.urls import path

from . import views

app_name = "attendance"
urlpatterns = [
    path("s/<int:session_id>/confirm/", views.confirm, name="confirm"),
    path("s/<int:session_id>/<str:token>/", views.scan, name="scan"),
    path("s/<int:session_id>/", views.scan, name="scan_query"),
    path("code/", views.code_entry, name="code"),
    path("my/", views.my_attendance, name="my"),
    path("sessions/", views.session_list, name="sessions"),
    path("absences/", views.absences, name="absences"),
    path("session/<int:session_id>/", views.sheet, name="sheet"),
    path("session/<int:session_id>/screen/", views.screen, name="screen"),
    path("session/<int:session_id>/screen/live/", views.screen_live, name="screen_live"),
    path("session/<int:session_id>/export.xlsx", views.export, name="export"),
    path("session/<int:session_id>/mark/<int:person_id>/", views.MarkView.as_view(), name="mark"),
    path("session/<int:session_id>/mark/", views.BulkMarkView.as_view(), name="mark_many"),
    path("session/<int:session_id>/rule/", views.RuleView.as_view(), name="rule"),
    path("session/<int:session_id>/reflection/", views.ReflectionSubmitView.as_view(), name="reflection_submit"),
    path("session/<int:session_id>/reflections/", views.reflection_list, name="reflections"),
    path("reflection/<int:reflection_id>/", views.reflection_review, name="reflection_review"),
]

# A baseline for bench/signin_burst.py, never in production URLs.
if settings.YANXIU_BENCH_ENDPOINTS:
    from . import bench_views

    urlpatterns += [
        path("bench/insert/", bench_views.insert_one, name="bench_insert"),
        path("bench/floor/<int:session_id>/", bench_views.signin_floor, name="bench_floor"),
    ]
