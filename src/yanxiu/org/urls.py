from django.urls import path

from . import audit_history, views

app_name = "org"
urlpatterns = [
    path("audit-log/", audit_history.AuditLogView.as_view(), name="audit_log"),
    path("me/", views.my_profile, name="my_profile"),
    path("me/edit/", views.ProfileEditView.as_view(), name="profile_edit"),
    path("staff/", views.StaffListView.as_view(), name="staff_list"),
    path("staff/export.xlsx", views.StaffListView.as_view(export_only=True), name="staff_export"),
    path("staff/<int:pk>/", views.person_detail, name="person_detail"),
    path("staff/<int:pk>/reveal/", views.person_reveal, name="person_reveal"),
    path("staff/<int:pk>/reset-account/", views.account_reset, name="account_reset"),
    path("staff/<int:pk>/edit/", views.EmploymentEditView.as_view(), name="employment_edit"),
    path("staff/<int:pk>/transfer/", views.TransferView.as_view(), name="transfer"),
    path("staff/<int:pk>/history/", views.person_history, name="person_history"),
    path("schools/", views.SchoolListView.as_view(), name="school_list"),
    path("schools/new/", views.SchoolCreateView.as_view(), name="school_create"),
    path("schools/<int:pk>/", views.school_detail, name="school_detail"),
    path("schools/<int:school_id>/login-slips/", views.login_slips, name="login_slips"),
    path("schools/<int:pk>/edit/", views.SchoolEditView.as_view(), name="school_edit"),
    path("schools/<int:pk>/history/", views.school_history, name="school_history"),
    path("schools/<int:school_id>/teachers/new/", views.TeacherAddView.as_view(), name="teacher_add"),
    path("schools/<int:school_id>/groups/new/", views.GroupCreateView.as_view(), name="group_create"),
    path("schools/<int:school_id>/roster/", views.roster_import, name="roster_import"),
    path("schools/<int:school_id>/roster/template.xlsx", views.roster_template, name="roster_template"),
    path("groups/<int:pk>/edit/", views.GroupEditView.as_view(), name="group_edit"),
    path("schools/<int:school_id>/admins/new/", views.AppointAdminView.as_view(), name="admin_appoint"),
    path("roles/<int:pk>/revoke/", views.RoleRevokeView.as_view(), name="role_revoke"),
    path("clusters/", views.ClusterListView.as_view(), name="cluster_list"),
    path("clusters/new/<int:county_id>/", views.ClusterCreateView.as_view(), name="cluster_create"),
    path("clusters/<int:pk>/edit/", views.ClusterEditView.as_view(), name="cluster_edit"),
    path("access-log/", views.AccessLogView.as_view(), name="access_log"),
]
