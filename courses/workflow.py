"""A lesson or quiz goes live only under a live module, whichever way it is published: the
one rule (module_not_live), the reviewer's approval held to it (publish_workflow_state,
Wagtail's WAGTAIL_FINISH_WORKFLOW_ACTION) and the refusal shown to the reviewer
(ApprovalRefusedMiddleware). Direct publishing asks the same rule in wagtail_hooks."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _
from wagtail.workflows import publish_workflow_state as wagtail_publish_workflow_state

# Wagtail imports this module while it defines its models (WorkflowState.on_finish), so
# models are imported inside the functions.


class ApprovalRefused(Exception):
    """An approval that would put a page live under a module that is not; nothing was
    changed. str() is for the reviewer."""

    def __init__(self, message: str, *, page_id: int):
        super().__init__(message)
        self.page_id = page_id


def module_not_live(page):
    """The module a lesson or quiz belongs to, when that module is not live (else None;
    also for the module itself and any other page)."""
    from .models import ModulePage

    parent = page.get_parent() if page.pk and page.depth else None
    if parent is None:
        return None
    module = ModulePage.objects.filter(pk=parent.pk, live=False).only("title").first()
    return module


def approval_refusal(page) -> str | None:
    """Why the reviewer cannot approve this page into live yet, or None."""
    module = module_not_live(page)
    if module is None:
        return None
    return _(
        "'%(page)s' cannot be approved yet: its module '%(module)s' is not live, and learners "
        "cannot open a lesson or quiz of a module that is not live. Approve or publish the "
        "module first; '%(page)s' keeps waiting for your review."
    ) % {"page": page.get_admin_display_title(), "module": module.title}


def submit_warning(page) -> str | None:
    """What the author should know when submitting a page that cannot be approved yet."""
    module = module_not_live(page)
    if module is None:
        return None
    return _(
        "Note: its module '%(module)s' is not live yet, so a reviewer can approve "
        "'%(page)s' only after the module. Submit the module for review too."
    ) % {"page": page.get_admin_display_title(), "module": module.title}


def publish_workflow_state(workflow_state, user=None):
    """Wagtail's last step of an approved workflow (WAGTAIL_FINISH_WORKFLOW_ACTION), held
    to the rule. Raising here rolls the approval back (Wagtail runs it in the approving
    transaction), so the page stays waiting for review."""
    from wagtail.models import Page

    content = workflow_state.content_object
    if isinstance(content, Page):
        reason = approval_refusal(content)
        if reason:
            raise ApprovalRefused(reason, page_id=content.pk)
    try:
        return wagtail_publish_workflow_state(workflow_state, user=user)
    except ValidationError as refusal:
        # A page's own last guard refused the revision (a quiz that cannot be played):
        # the reviewer reads why, and the page keeps waiting, instead of an error page.
        if not isinstance(content, Page):
            raise
        raise ApprovalRefused(
            _("'%(page)s' cannot be approved: %(reasons)s")
            % {"page": content.get_admin_display_title(), "reasons": " ".join(refusal.messages)},
            page_id=content.pk,
        ) from refusal


class ApprovalRefusedMiddleware:
    """Shows a refused approval to the reviewer on the page's editor, from the editor's
    approve buttons, the dashboard's and the comment dialog (which expects JSON)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_exception(self, request, exception):
        if not isinstance(exception, ApprovalRefused):
            return None
        messages.error(request, str(exception))
        url = reverse("wagtailadmin_pages:edit", args=[exception.page_id])
        if request.headers.get("x-requested-with") == "XMLHttpRequest":
            return JsonResponse({"step": "success", "redirect": url})
        return redirect(url)
