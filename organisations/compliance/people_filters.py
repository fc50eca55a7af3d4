"""The people list's filters and orders, read from the query string (issue 20.2: urgency,
deadline, name; issue 20.8: the four groups as status filters)."""

from dataclasses import dataclass

from organisations.compliance.computation import MemberCompliance
from organisations.compliance.groups import (
    ACTION_STATUSES,
    STATUSES_OF,
    Group,
    deadline_key,
    urgency_key,
)
from organisations.compliance.rule import Status
from organisations.models import Organisation, Requirement, Role, Team

MEETS_ALL = "meets"
MEETS_NOT = "does_not_meet"
NO_TEAM = "none"
# Status filters by group (issue 20.8): people whose most urgent mandatory status is in the
# group (where they stand, as the dashboard counts them), or, with a requirement chosen,
# whose status on it is; NEEDS_ACTION: late or needed soon (the dashboard's 'Actie nodig').
NEEDS_ACTION = "action"
GROUP_FILTERS = {
    Group.LATE.value: STATUSES_OF[Group.LATE],
    Group.SOON.value: STATUSES_OF[Group.SOON],
    Group.ON_TRACK.value: STATUSES_OF[Group.ON_TRACK],
    NEEDS_ACTION: tuple(ACTION_STATUSES),
}

# The people list's orders (issue 20.2); urgency is the default.
SORT_URGENCY = "urgency"
SORT_DEADLINE = "deadline"
SORT_NAME = "name"
SORTS = (SORT_URGENCY, SORT_DEADLINE, SORT_NAME)


@dataclass(frozen=True)
class PeopleFilters:
    """The people list's filters, from the query string. Unknown values are dropped and
    named in `invalid`, so a bad link shows everyone with a message instead of an error."""

    q: str = ""
    team: str = ""  # a team id, NO_TEAM, or "" for all
    role: str = ""  # a role id
    requirement: str = ""  # a requirement id: `status` applies to that requirement only
    status: str = ""  # a Status, MEETS_ALL, MEETS_NOT or a key of GROUP_FILTERS
    invalid: tuple[str, ...] = ()
    # The order, not a filter: not in FIELDS (the audit log, exports and 'clear filters').
    sort: str = SORT_URGENCY

    FIELDS = ("q", "team", "role", "requirement", "status")

    @classmethod
    def from_query(
        cls, query, *, organisation: Organisation, requirements: list[Requirement]
    ) -> "PeopleFilters":
        values = {name: (query.get(name) or "").strip() for name in cls.FIELDS}
        values["q"] = values["q"][:100]
        allowed = {
            "team": {
                str(pk)
                for pk in Team.objects.filter(organisation=organisation).values_list(
                    "pk", flat=True
                )
            }
            | {NO_TEAM},
            "role": {str(pk) for pk in Role.objects.values_list("pk", flat=True)},
            "requirement": {str(r.pk) for r in requirements},
            "status": {s.value for s in Status} | {MEETS_ALL, MEETS_NOT} | set(GROUP_FILTERS),
        }
        invalid = []
        for name, choices in allowed.items():
            if values[name] and values[name] not in choices:
                invalid.append(name)
                values[name] = ""
        sort = (query.get("sort") or "").strip() or SORT_URGENCY
        if sort not in SORTS:
            invalid.append("sort")
            sort = SORT_URGENCY
        return cls(**values, invalid=tuple(invalid), sort=sort)

    def as_dict(self) -> dict[str, str]:
        """The filters in use, for the audit log, export jobs and links."""
        return {name: getattr(self, name) for name in self.FIELDS if getattr(self, name)}

    @property
    def active(self) -> bool:
        return bool(self.as_dict())

    def matches(self, member: MemberCompliance) -> bool:
        if self.q:
            needle = self.q.casefold()
            if needle not in member.full_name.casefold() and needle not in member.email.casefold():
                return False
        if self.team == NO_TEAM and member.team_id is not None:
            return False
        if self.team and self.team != NO_TEAM and str(member.team_id) != self.team:
            return False
        if self.role and str(member.role_id) != self.role:
            return False
        if not self.status:
            return True
        if self.requirement:
            status = member.statuses.get(int(self.requirement))
            if status is None:
                return False
            if self.status == MEETS_ALL:
                return status.meets
            if self.status == MEETS_NOT:
                return not status.meets
            return status.status in self.statuses
        if self.status == MEETS_ALL:
            return member.meets_mandatory
        if self.status == MEETS_NOT:
            return not member.meets_mandatory
        if self.status in GROUP_FILTERS:
            return member.worst_status is not None and member.worst_status in self.statuses
        # A status without a requirement: any mandatory requirement in that status.
        return any(member.statuses[pk].status in self.statuses for pk in member.mandatory_ids)

    @property
    def statuses(self) -> tuple[str, ...]:
        """The statuses the status filter stands for: one, or a group's."""
        return GROUP_FILTERS.get(self.status, (self.status,))

    def sort_key(self, member: MemberCompliance) -> tuple:
        """The list's order on computed members (the SQL in _stored_people orders the
        same way); the members come in name order, which breaks ties."""
        if self.sort == SORT_URGENCY:
            return urgency_key(member.worst_status, member.next_deadline)
        if self.sort == SORT_DEADLINE:
            return deadline_key(member.next_deadline)
        return ()
