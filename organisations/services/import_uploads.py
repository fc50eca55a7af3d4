"""An import file kept between the import's steps (organisations.models.ImportUpload):
stored once read, found only by the coordinator who uploaded it in that organisation, for
UPLOAD_VALID_MINUTES, and deleted when imported. The rows always come from here, never
from the browser."""

import datetime

from django.db import transaction
from django.utils import timezone

from accounts.models import User
from organisations import imports
from organisations.models import ImportUpload, Organisation

UPLOAD_VALID_MINUTES = 60


def _oldest_valid() -> datetime.datetime:
    return timezone.now() - datetime.timedelta(minutes=UPLOAD_VALID_MINUTES)


def delete_expired_uploads() -> int:
    """Delete the uploads nobody finished within UPLOAD_VALID_MINUTES (hourly, from
    send_reminders, and on every upload); returns how many."""
    deleted, _by_model = ImportUpload.objects.filter(created_at__lt=_oldest_valid()).delete()
    return deleted


@transaction.atomic
def store_upload(
    *,
    organisation: Organisation,
    user: User,
    filename: str,
    table: list[list[str]],
    create_teams: bool,
) -> ImportUpload:
    """Keep a read file for the next steps. The same coordinator's earlier upload for this
    organisation, and everyone's expired ones, go (one import at a time)."""
    delete_expired_uploads()
    ImportUpload.objects.filter(organisation=organisation, uploaded_by=user).delete()
    return ImportUpload.objects.create(
        organisation=organisation,
        uploaded_by=user,
        filename=(filename or "")[:255],
        table=table,
        create_teams=create_teams,
    )


def find_upload(*, organisation: Organisation, user: User, token: str) -> ImportUpload | None:
    return ImportUpload.objects.filter(
        token=token,
        organisation=organisation,
        uploaded_by=user,
        created_at__gte=_oldest_valid(),
    ).first()


def headers_of(upload: ImportUpload) -> list[str]:
    index = imports.header_row(upload.table)
    return list(upload.table[index]) if index is not None else []


def choose_columns(upload: ImportUpload, *, mapping: list[str], create_teams: bool) -> None:
    """The coordinator's mapping of the file's columns (checked: known fields, each at most
    once, only where the file has a header)."""
    if imports.check_mapping(headers_of(upload), mapping):
        raise ValueError("invalid mapping")
    upload.mapping = mapping
    upload.create_teams = create_teams
    upload.save(update_fields=["mapping", "create_teams"])


def parse(upload: ImportUpload) -> imports.ParsedFile:
    return imports.parse_table(upload.table, mapping=upload.mapping)


def discard_upload(upload: ImportUpload) -> None:
    ImportUpload.objects.filter(pk=upload.pk).delete()
