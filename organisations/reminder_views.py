"""The coordinator's reminders (issue 20.3): a preview of who gets one and its text, then
sending it, for one person, a chosen group or everyone overdue or due; and the
organisation's reminder rules (issue 20.10). Thin: organisations.compliance does the work.
Every view is wrapped in organisations.access.coordinator_area."""

from django.contrib import messages
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_http_methods

from .access import coordinator_area, private
from .compliance.coordinator_reminders import SkipReason, plan_reminders, send_planned
from .compliance.reminder_rules import rules_for, set_reminder_rules
from .models import AuditAction
from .reminder_forms import ReminderRulesForm
from .services.audit import record_audit

# Where the coordinator came from, and goes back to after sending.
RETURN_TO = ("dashboard", "people", "person")
NAMES_IN_A_MESSAGE = 10


def _chosen(data) -> list[int]:
    return [int(value) for value in data.getlist("mensen") if value.isdigit()][:1000]


def names(people: list[str]) -> str:
    """'Anna, Bob en Carl', and 'en 5 anderen' beyond NAMES_IN_A_MESSAGE."""
    shown, more = people[:NAMES_IN_A_MESSAGE], len(people) - NAMES_IN_A_MESSAGE
    if more > 0:
        rest = ngettext("%(count)d other", "%(count)d others", more) % {"count": more}
        shown = [*shown, rest]
    if len(shown) == 1:
        return shown[0]
    return _("%(people)s and %(last)s") % {"people": ", ".join(shown[:-1]), "last": shown[-1]}


def _back(request, organisation, return_to: str, chosen: list[int]):
    if return_to == "person" and len(chosen) == 1:
        return redirect("organisations:person", slug=organisation.slug, membership_id=chosen[0])
    if return_to == "people":
        return redirect("organisations:people", slug=organisation.slug)
    return redirect("organisations:dashboard", slug=organisation.slug)


@coordinator_area
@require_http_methods(["GET", "POST"])
def remind(request, organisation):
    """GET: the preview (who gets a reminder, who not and why, the email). POST (from the
    preview's confirm button): send, then say to whom."""
    data = request.POST if request.method == "POST" else request.GET
    chosen = _chosen(data)
    return_to = data.get("terug") if data.get("terug") in RETURN_TO else "dashboard"
    if "mensen" in data and not chosen:
        messages.error(request, _("Choose the people to remind first."))
        return _back(request, organisation, return_to, chosen)
    plan = plan_reminders(organisation, membership_ids=chosen)
    if chosen and not (plan.recipients or plan.skipped):
        messages.error(request, _("None of the chosen people is a current member."))
        return _back(request, organisation, return_to, chosen)
    if request.method == "POST":
        return _send(request, organisation, plan, return_to)
    record_audit(
        actor=request.user,
        organisation=organisation,
        action=AuditAction.VIEWED_PEOPLE,
        detail={"page": "reminder_preview", "results": len(plan.recipients) + len(plan.skipped)},
        subjects=[p.member.user_id for p in [*plan.recipients, *plan.skipped]],
    )
    email = plan.email()
    return private(
        TemplateResponse(
            request,
            "organisations/remind_preview.html",
            {
                "organisation": organisation,
                "plan": plan,
                "subject": email[0] if email else "",
                "body": email[1] if email else "",
                "return_to": return_to,
            },
        )
    )


def _send(request, organisation, plan, return_to: str):
    outcome = send_planned(plan, actor=request.user)
    if outcome.sent:
        messages.success(
            request,
            ngettext(
                "Reminder sent to %(names)s.",
                "Reminders sent to %(names)s.",
                len(outcome.sent),
            )
            % {"names": names(outcome.sent)},
        )
    elif not outcome.queued:
        messages.info(request, _("No reminder was sent."))
    for reason in SkipReason:
        skipped = [s.name for s in outcome.skipped if s.reason == reason]
        if skipped:
            messages.info(
                request,
                _("Not sent to %(names)s: %(reason)s.")
                % {"names": names(skipped), "reason": reason.label},
            )
    if outcome.queued:
        # Recorded as sent (so not sent again today): it waits in the mail queue.
        messages.warning(
            request,
            _(
                "The mail server did not take the reminder to %(names)s now; it is sent "
                "automatically as soon as the mail server is back."
            )
            % {"names": names(outcome.queued)},
        )
    return _back(request, organisation, return_to, plan.chosen)


@coordinator_area
@require_http_methods(["GET", "POST"])
def reminder_rules(request, organisation):
    """When reminders go to learners and when late people are escalated (issue 20.10)."""
    current = rules_for(organisation)
    if request.method == "POST":
        form = ReminderRulesForm(request.POST)
        if form.is_valid():
            set_reminder_rules(organisation, form.rules(), actor=request.user)
            messages.success(
                request, _("The reminder rules are saved. The next automatic run uses them.")
            )
            return redirect("organisations:reminder_rules", slug=organisation.slug)
    else:
        form = ReminderRulesForm(initial=ReminderRulesForm.initial_from(current))
    return private(
        TemplateResponse(
            request,
            "organisations/reminder_rules.html",
            {"organisation": organisation, "form": form, "rules": current},
            status=400 if form.errors else 200,
        )
    )
