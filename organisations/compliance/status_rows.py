"""Writing the stored per-requirement statuses (MemberRequirementStatus) of members whose
standing was just computed (statuses.refresh_standings): only the differences.

A refresh recomputes every stale member, but most statuses come out as they were (a
change to one requirement, a day passing): rewriting them all cost a full refresh of
100,000 members 840,000 deleted and inserted rows, and 8 of its 25 seconds went on the
foreign key checks at commit alone. So the stored rows are read, compared, and only rows
that are gone, changed or new are written; PostgreSQL takes them in one statement each
(arrays, COPY), other databases (the SQLite demo) through the ORM."""

from django.db import connection

from organisations.models import MemberRequirementStatus

_BATCH = 2_000

Key = tuple[int, int]  # (membership id, requirement id)


def replace_statuses(
    *, organisation_id: int, membership_ids: list[int], wanted: dict[Key, str]
) -> int:
    """Make the stored statuses of these memberships exactly `wanted`; returns the number
    of rows written (deleted, updated or inserted)."""
    stored: dict[Key, str] = {}
    for start in range(0, len(membership_ids), _BATCH):
        rows = MemberRequirementStatus.objects.filter(
            membership_id__in=membership_ids[start : start + _BATCH]
        ).values_list("membership_id", "requirement_id", "status")
        stored.update(
            ((membership, requirement), status) for membership, requirement, status in rows
        )
    gone = [key for key in stored if key not in wanted]
    changed = [
        (key, status) for key, status in wanted.items() if key in stored and stored[key] != status
    ]
    new = [(key, status) for key, status in wanted.items() if key not in stored]
    if connection.vendor == "postgresql":
        _write_postgresql(organisation_id, gone, changed, new)
    else:
        _write_orm(organisation_id, gone, changed, new)
    return len(gone) + len(changed) + len(new)


def _write_postgresql(organisation_id, gone, changed, new) -> None:
    table = MemberRequirementStatus._meta.db_table
    with connection.cursor() as cursor:
        if gone:
            cursor.execute(
                f"""DELETE FROM {table} AS s
                USING unnest(%s::integer[], %s::integer[]) AS v(membership_id, requirement_id)
                WHERE s.membership_id = v.membership_id AND s.requirement_id = v.requirement_id""",  # noqa: S608 (our own table)
                [[m for m, _r in gone], [r for _m, r in gone]],
            )
        if changed:
            cursor.execute(
                f"""UPDATE {table} AS s SET status = v.status
                FROM unnest(%s::integer[], %s::integer[], %s::varchar[])
                    AS v(membership_id, requirement_id, status)
                WHERE s.membership_id = v.membership_id AND s.requirement_id = v.requirement_id""",  # noqa: S608 (our own table)
                [
                    [m for (m, _r), _s in changed],
                    [r for (_m, r), _s in changed],
                    [s for _key, s in changed],
                ],
            )
        if new:
            columns = "membership_id, organisation_id, requirement_id, status"
            with cursor.copy(f"COPY {table} ({columns}) FROM STDIN") as copy:
                for (membership, requirement), status in new:
                    copy.write_row((membership, organisation_id, requirement, status))


def _write_orm(organisation_id, gone, changed, new) -> None:
    for membership, requirement in gone:
        MemberRequirementStatus.objects.filter(
            membership_id=membership, requirement_id=requirement
        ).delete()
    for (membership, requirement), status in changed:
        MemberRequirementStatus.objects.filter(
            membership_id=membership, requirement_id=requirement
        ).update(status=status)
    MemberRequirementStatus.objects.bulk_create(
        (
            MemberRequirementStatus(
                membership_id=membership,
                organisation_id=organisation_id,
                requirement_id=requirement,
                status=status,
            )
            for (membership, requirement), status in new
        ),
        batch_size=_BATCH,
    )
