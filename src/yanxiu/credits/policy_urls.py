from django.urls import path

from . import policy_views as views

app_name = "policy"
urlpatterns = [
    path("", views.policy_list, name="list"),
    path("adopt/", views.policy_adopt, name="adopt"),
    path("<int:pk>/", views.policy_detail, name="detail"),
    path("<int:pk>/edit/", views.policy_edit, name="edit"),
]
