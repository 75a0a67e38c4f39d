from django.urls import path

from . import views

app_name = "training"
urlpatterns = [
    path("", views.my_trainings, name="my"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar_feed"),
    path("calendar/reset/", views.calendar_reset, name="calendar_reset"),
    # Sessions
    path("sessions/<int:pk>/", views.session_detail, name="session_detail"),
    path("sessions/<int:pk>/edit/", views.SessionEditView.as_view(), name="session_edit"),
    path("sessions/<int:pk>/publish/", views.session_publish, name="session_publish"),
    path("sessions/<int:pk>/cancel/", views.SessionCancelView.as_view(), name="session_cancel"),
    path("sessions/<int:pk>/invite/", views.SessionInviteView.as_view(), name="session_invite"),
    path("sessions/<int:pk>/enroll/", views.session_enroll, name="session_enroll"),
    path("sessions/<int:pk>/leave/", views.LeaveCreateView.as_view(), name="leave_create"),
    path("sessions/<int:pk>/evaluate/", views.EvaluationView.as_view(), name="evaluate"),
    path("enrollments/<int:pk>/withdraw/", views.enrollment_withdraw, name="enrollment_withdraw"),
    # Leave
    path("leave/", views.leave_list, name="leave_list"),
    path("leave/bulk/", views.leave_bulk_decide, name="leave_bulk_decide"),
    path("leave/<int:pk>/decide/", views.leave_decide, name="leave_decide"),
    path("leave/<int:pk>/cancel/", views.leave_cancel, name="leave_cancel"),
    path("leave/<int:pk>/attachment/", views.leave_attachment, name="leave_attachment"),
    # Evaluations
    path("evaluations/", views.evaluations, name="evaluations"),
    # Projects
    path("projects/", views.project_list, name="project_list"),
    path("projects/new/", views.ProjectCreateView.as_view(), name="project_create"),
    path("projects/<int:pk>/", views.project_detail, name="project_detail"),
    path("projects/<int:pk>/edit/", views.ProjectEditView.as_view(), name="project_edit"),
    path("projects/<int:pk>/submit/", views.project_submit, name="project_submit"),
    path("projects/<int:pk>/review/", views.ProjectReviewView.as_view(), name="project_review"),
    path("projects/<int:project>/sessions/new/", views.SessionCreateView.as_view(), name="session_create"),
    path("projects/<int:project>/sessions/recurring/", views.RecurringView.as_view(), name="session_recurring"),
    path("projects/<int:pk>/quotas/new/", views.QuotaAllocateView.as_view(), name="quota_allocate"),
    path("reviews/", views.review_list, name="review_list"),
    # Plans
    path("plans/", views.plan_list, name="plan_list"),
    path("plans/new/", views.PlanFormView.as_view(), name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail, name="plan_detail"),
    path("plans/<int:pk>/edit/", views.PlanFormView.as_view(), name="plan_edit"),
    # Catalogue
    path("catalogue/", views.catalogue, name="catalogue"),
    path("catalogue/categories/new/", views.CategoryFormView.as_view(), name="category_create"),
    path("catalogue/categories/<int:pk>/edit/", views.CategoryFormView.as_view(), name="category_edit"),
    # Quotas
    path("quotas/", views.quota_list, name="quota_list"),
    path("quotas/missed/", views.quota_missed, name="quota_missed"),
    path("quotas/<int:pk>/", views.quota_detail, name="quota_detail"),
    path("quotas/<int:pk>/submit/", views.quota_submit, name="quota_submit"),
    path("quotas/<int:pk>/swap/", views.SwapCreateView.as_view(), name="swap_create"),
    path("nominations/<int:pk>/remove/", views.quota_unname, name="quota_unname"),
    path("swaps/", views.swap_list, name="swap_list"),
    path("swaps/<int:pk>/decide/", views.swap_decide, name="swap_decide"),
]
