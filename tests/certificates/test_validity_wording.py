"""A certificate counts on the last day it is valid (`Certificate.status`: expired only
after `expires_on`), so the Dutch says 'tot en met': 'geldig tot' reads as ending before
that day. The project's translations win over the apps' (LOCALE_PATHS), so one msgid has
one Dutch wording everywhere it is used."""

import pytest
from django.utils import translation
from django.utils.translation import gettext

VALIDITY_MESSAGES = [
    "valid until",
    "Valid until",
    "valid until %(date)s",
    "This certificate was valid until %(date)s.",
    "You hold a certificate for version %(version)s, valid until %(date)s.",
    "Your certificate %(code)s is valid until %(date)s.",
    "Your certificate for version %(version)s of this module is valid until %(date)s.",
    "Your certificate is valid until %(date)s. You can renew it now: do the module again and "
    "the new certificate continues from that date.",
]


@pytest.mark.parametrize("message", VALIDITY_MESSAGES)
def test_a_certificates_last_valid_day_is_included_in_the_dutch(message):
    with translation.override("nl"):
        assert "tot en met" in gettext(message).lower()
