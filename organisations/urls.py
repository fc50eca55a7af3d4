"""The coordinator area (/organisaties/<slug>/...) and accepting an invitation. Every
coordinator view is wrapped in organisations.access.coordinator_area."""

from django.urls import path

from . import (
    evidence_views,
    import_views,
    invitation_views,
    membership_views,
    reminder_views,
    views,
)

app_name = "organisations"

urlpatterns = [
    path("organisaties/", views.index, name="index"),
    # Dashboard, people, reports (organisations/views.py)
    path("organisaties/<slug:slug>/", views.dashboard, name="dashboard"),
    path("organisaties/<slug:slug>/per-team/", views.team_figures, name="team_figures"),
    path("organisaties/<slug:slug>/mensen/", views.people, name="people"),
    path("organisaties/<slug:slug>/mensen/<int:membership_id>/", views.person, name="person"),
    path("organisaties/<slug:slug>/export/<str:fmt>/", views.export, name="export"),
    path("organisaties/<slug:slug>/exports/<int:job_id>/", views.export_job, name="export_job"),
    path(
        "organisaties/<slug:slug>/exports/<int:job_id>/download/",
        views.export_download,
        name="export_download",
    ),
    # Reminders: preview and send, the organisation's rules (organisations/reminder_views.py)
    path("organisaties/<slug:slug>/herinneren/", reminder_views.remind, name="remind"),
    path(
        "organisaties/<slug:slug>/herinneringsregels/",
        reminder_views.reminder_rules,
        name="reminder_rules",
    ),
    # Evidence for an inspection (organisations/evidence_views.py)
    path("organisaties/<slug:slug>/verantwoording/", evidence_views.evidence, name="evidence"),
    path(
        "organisaties/<slug:slug>/verantwoording/audittrail/",
        evidence_views.audit_trail_export,
        name="audit_trail_export",
    ),
    path(
        "organisaties/<slug:slug>/verantwoording/verklaring/",
        evidence_views.statement_export,
        name="statement_export",
    ),
    path("verklaringen/<str:code>/", evidence_views.verify, name="verify_statement"),
    path(
        "verklaringen/<str:code>/verklaring.jwt",
        evidence_views.statement_jws,
        name="statement_jws",
    ),
    # Members: invitations, import, teams, changes (organisations/membership_views.py)
    path("organisaties/<slug:slug>/uitnodigen/", invitation_views.invite, name="invite"),
    path(
        "organisaties/<slug:slug>/uitnodigingen/<int:invitation_id>/intrekken/",
        invitation_views.withdraw_invitation,
        name="withdraw_invitation",
    ),
    path("organisaties/<slug:slug>/importeren/", import_views.import_members, name="import"),
    path(
        "organisaties/<slug:slug>/importeren/<str:token>/",
        import_views.import_check,
        name="import_check",
    ),
    path("organisaties/<slug:slug>/teams/", membership_views.teams, name="teams"),
    path(
        "organisaties/<slug:slug>/mensen/<int:membership_id>/wijzigen/",
        membership_views.change_membership,
        name="change_membership",
    ),
    path(
        "organisaties/<slug:slug>/mensen/<int:membership_id>/beeindigen/",
        membership_views.end_membership,
        name="end_membership",
    ),
    path(
        "uitnodiging/<str:token>/",
        invitation_views.accept_invitation,
        name="accept_invitation",
    ),
]
