"""identity's part of a person's data: the organisation accounts linked to theirs."""

from allauth.socialaccount.models import SocialAccount
from django.utils.translation import gettext_lazy as _

from .models import IdentityProvider


def export(user) -> dict:
    names = {p.key: (p.name, p.organisation.name) for p in IdentityProvider.objects.all()}
    return {
        "linked_accounts": [
            {
                "sign_in_service": names.get(account.provider, (account.provider, ""))[0],
                "organisation": names.get(account.provider, ("", ""))[1],
                # The identifier the organisation's service gave the person.
                "id_at_organisation": account.uid,
                "linked_on": account.date_joined,
                "last_sign_in": account.last_login,
                # What the service told us at the last sign-in (claims or attributes).
                "received": account.extra_data,
            }
            for account in SocialAccount.objects.filter(user=user).order_by("date_joined")
        ]
    }


def erase(user) -> None:
    # The link and what the IdP sent; the tokens (none are stored) go with it.
    SocialAccount.objects.filter(user=user).delete()


TITLE = _("Sign-in through your organisation")
