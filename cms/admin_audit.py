"""Platform administrators' views of people's data in the admin (/beheer/) go into the
audit log, as coordinators' views do: the listing (and its search and filter results), the
details and the edit and delete pages of user accounts, memberships, invitations,
certificates and the audit log itself.

A viewset takes `AuditedViewSetMixin` and says whom its objects are about
(`audit_subjects`). The views stay Wagtail's own: each is wrapped, and after it answered
200 the objects it shows are read from the response's context (before it renders), so
nothing about the views' behaviour changes. Written through
`organisations.api.record_audit` as VIEWED_IN_ADMIN, with the people shown as the
entry's subjects (their data download lists it)."""

from collections.abc import Iterable
from functools import wraps

# Query parameters of a listing that are not filters.
_NOT_FILTERS = {"p", "q", "_w_filter_fragment"}
_MAX_FILTER_LENGTH = 200


def _text(value: str) -> str:
    # JSON in PostgreSQL cannot hold NUL; a filter value is recorded, not trusted.
    return value.replace("\x00", "")[:_MAX_FILTER_LENGTH]


class AuditedViewSetMixin:
    """For a Wagtail ModelViewSet whose objects are people's data."""

    def audit_subjects(self, objects: Iterable) -> Iterable[int | None]:
        """The ids of the people these objects are about."""
        raise NotImplementedError

    def audit_organisation(self, obj):
        """The organisation one object belongs to, if any (the entry is filed under it)."""
        return None

    def _audited(self, view, kind: str):
        viewset = self

        @wraps(view)
        def audited_view(request, *args, **kwargs):
            response = view(request, *args, **kwargs)
            context = getattr(response, "context_data", None)
            if response.status_code == 200 and context is not None:
                viewset._record(request, kind, context)
            return response

        return audited_view

    def _record(self, request, kind: str, context: dict) -> None:
        from organisations.api import AuditAction, record_audit

        detail = {"model": self.model._meta.label_lower, "view": kind}
        organisation = None
        if kind == "index":
            objects = list(context.get("object_list") or [])
            filters = {
                key: _text(value)
                for key, value in request.GET.items()
                if key not in _NOT_FILTERS and value
            }
            # The search as the listing read it (typed text, blanked when the person it
            # names deletes their account).
            if context.get("query_string"):
                filters["q"] = _text(str(context["query_string"]))
            page = context.get("page_obj")
            detail |= {
                "page": page.number if page is not None else 1,
                "results": context.get("items_count", len(objects)),
                "filters": filters,
            }
        else:
            obj = context.get("object")
            if obj is None:
                return
            objects = [obj]
            detail["object"] = obj.pk
            organisation = self.audit_organisation(obj)
        record_audit(
            actor=request.user,
            organisation=organisation,
            action=AuditAction.VIEWED_IN_ADMIN,
            detail=detail,
            subjects=self.audit_subjects(objects),
        )

    @property
    def index_view(self):
        return self._audited(super().index_view, "index")

    @property
    def index_results_view(self):
        return self._audited(super().index_results_view, "index")

    @property
    def inspect_view(self):
        return self._audited(super().inspect_view, "inspect")

    @property
    def edit_view(self):
        return self._audited(super().edit_view, "edit")

    @property
    def delete_view(self):
        return self._audited(super().delete_view, "delete")
