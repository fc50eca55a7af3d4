"""A person's memberships as other apps need them."""

from accounts.models import User

from ..models import Membership


def member_organisation_ids(user: User, *, on=None) -> list[int]:
    """The organisations the person is an active member of on `on` (today), in id order."""
    return sorted(
        set(
            Membership.objects.active(on=on)
            .filter(user=user)
            .values_list("organisation_id", flat=True)
        )
    )
