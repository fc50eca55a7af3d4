"""The person's part of lti in their data download, and what deleting their account
removes (accounts.personal_data): the LMSs they are known to, their launches and the
grades sent, their SCORM learner ids."""

from django.utils.translation import gettext_lazy as _

from .models import GradeSubmission, LtiIdentity, ResourceLaunch, ScormLearner

TITLE = _("Your LMSs (LTI and SCORM)")


def export(user) -> dict:
    return {
        "lms_accounts": [
            {
                "lms": i.platform.name,
                "issuer": i.issuer,
                "subject": i.subject,
                "linked": i.created_at,
            }
            for i in LtiIdentity.objects.filter(user=user).select_related("platform")
        ],
        "launches": [
            {
                "lms": launch.platform.name,
                "module": launch.module.title,
                "course": launch.context_title,
                "last_launched": launch.launched_at,
            }
            for launch in ResourceLaunch.objects.filter(user=user).select_related(
                "platform", "module"
            )
        ],
        "grades_sent": [
            {"module": grade.launch.module.title, "status": grade.status, "sent": grade.sent_at}
            for grade in GradeSubmission.objects.filter(launch__user=user).select_related(
                "launch__module"
            )
        ],
        "scorm": [
            {"module": learner.package.module.title, "learner_id": learner.learner_id}
            for learner in ScormLearner.objects.filter(user=user).select_related("package__module")
        ],
    }


def erase(user) -> None:
    """The links to the LMSs go, so that no LMS signs anyone in to the removed account."""
    LtiIdentity.objects.filter(user=user).delete()
    ResourceLaunch.objects.filter(user=user).delete()
    ScormLearner.objects.filter(user=user).delete()
