"""Through which LMS people took modules, for the coordinator's person page
(organisations.api.register_enrolment_channel): a launch from one of the organisation's
LTI platforms ('via <LMS> (LTI)'), or one of its SCORM packages. One query for a page."""

from collections.abc import Collection

from django.db.models import CharField, Value
from django.utils.translation import gettext

from .models import ResourceLaunch, ScormLearner


def enrolment_channels(
    organisation, user_ids: Collection[int], module_ids: Collection[int]
) -> dict[tuple[int, int], set[str]]:
    # Only this organisation's own platforms and packages: a person may also be launched
    # by another organisation's LMS, which this one's coordinators need not know.
    launches = ResourceLaunch.objects.filter(
        platform__organisation=organisation, user_id__in=user_ids, module_id__in=module_ids
    ).values_list("user_id", "module_id", "platform__name")
    packages = (
        ScormLearner.objects.filter(
            package__organisation=organisation,
            user_id__in=user_ids,
            package__module_id__in=module_ids,
        )
        .annotate(lms=Value("", output_field=CharField()))
        .values_list("user_id", "package__module_id", "lms")
    )
    found: dict[tuple[int, int], set[str]] = {}
    for user_id, module_id, lms in launches.union(packages):
        scorm = gettext("via SCORM package")
        label = gettext("via %(lms)s (LTI)") % {"lms": lms} if lms else scorm
        found.setdefault((user_id, module_id), set()).add(label)
    return found
