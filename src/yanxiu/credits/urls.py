from django.urls import path

from . import views

app_name = "credits"
urlpatterns = [
    path("", views.overview, name="overview"),
    path("me/", views.my_credits, name="mine"),
    path("person/<int:pk>/", views.person_credits, name="person"),
    path("person/<int:pk>/transcript.pdf", views.transcript_pdf, name="transcript_pdf"),
    path("person/<int:pk>/transcript.xlsx", views.transcript_xlsx, name="transcript_xlsx"),
    path("school/<int:pk>/", views.school_list, name="school"),
    path("school/<int:pk>/certificates.zip", views.school_certificates_zip, name="school_certificates"),
    path("school/<int:school_id>/posting/new/", views.PostingCreateView.as_view(), name="posting_create"),
    path("school/<int:school_id>/activity/new/", views.ActivityCreateView.as_view(), name="activity_create"),
    path("county/<int:pk>/", views.county_list, name="county"),
    path("import/", views.import_page, name="import"),
    path("postings/", views.posting_list, name="postings"),
    path("postings/<int:pk>/", views.posting_detail, name="posting_detail"),
    path("postings/<int:pk>/print/", views.posting_print, name="posting_print"),
    path("postings/<int:pk>/export.xlsx", views.posting_export, name="posting_export"),
    path("postings/<int:pk>/object/", views.objection_create, name="objection_create"),
    path("objections/<int:pk>/resolve/", views.objection_resolve, name="objection_resolve"),
    path("entries/<int:pk>/reverse/", views.entry_reverse, name="entry_reverse"),
    path("claims/new/", views.ClaimCreateView.as_view(), name="claim_create"),
    path("claims/<int:pk>/", views.claim_review, name="claim_review"),
    path("claims/<int:pk>/file/", views.claim_file, name="claim_file"),
    path("activities/<int:pk>/proof/", views.activity_proof, name="activity_proof"),
    path("sessions/<int:pk>/credit/", views.session_credit, name="session_credit"),
    path("school/<int:pk>/credit-term/", views.term_sessions_credit, name="term_sessions_credit"),
    path("certificates/<str:code>.pdf", views.certificate_pdf, name="certificate_pdf"),
    path("certificates/<str:code>/revoke/", views.certificate_revoke, name="certificate_revoke"),
    path("projects/<int:pk>/certificates/", views.project_certificates, name="project_certificates"),
    path("verify/", views.verify, name="verify_form"),
    path("verify/<str:code>/", views.verify, name="verify"),
]
