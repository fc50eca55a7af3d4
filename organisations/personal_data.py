"""The organisations app's part of a person's data rights, registered with
accounts.personal_data in OrganisationsConfig.ready(): the download's part
(`selectors.personal_data`), what deleting an account does to organisations
(`services.personal_data.erase_person`) and the warning the deletion page gives."""

from django.template.loader import render_to_string

from accounts.api import verified_addresses

from .access import organisations_left_without_coordinator
from .services.personal_data import erase_person


def erase(user) -> None:
    """Runs in accounts' deletion transaction, before the user row is anonymised."""
    erase_person(user=user, addresses=verified_addresses(user))


def deletion_warning(user) -> str:
    organisations = organisations_left_without_coordinator(user)
    if not organisations:
        return ""
    return render_to_string(
        "organisations/includes/deletion_warning.html", {"sole_coordinator_of": organisations}
    )
