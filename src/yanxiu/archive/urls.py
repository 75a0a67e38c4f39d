from django.urls import path

from . import views

app_name = "archive"
urlpatterns = [
    path("session/<int:session_id>/add/", views.MaterialAddView.as_view(), name="material_add"),
    path("material/<int:material_id>/file/", views.material_file, name="material_file"),
    path("material/<int:material_id>/delete/", views.material_delete, name="material_delete"),
    path("school/<int:school_id>/", views.school_library, name="school"),
    path("school/<int:school_id>/download.zip", views.school_library_zip, name="school_zip"),
]
