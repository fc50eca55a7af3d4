"""The coordinator's form for the organisation's reminder rules (issue 20.10)."""

import re

from django import forms
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext

from .compliance.reminder_rules import (
    MAX_DAYS_BEFORE,
    MAX_ESCALATE_DAYS,
    MAX_POINTS,
    MAX_REPEAT_DAYS,
    ReminderRules,
)


class ReminderRulesForm(forms.Form):
    days_before = forms.CharField(
        label=_("Remind learners this many days before a deadline"),
        required=False,
        max_length=100,
        help_text=_(
            "Numbers separated by commas, for example 30, 7. Leave empty for no reminder "
            "before the deadline. A deadline is also the day a certificate ends."
        ),
    )
    repeat_after_days = forms.IntegerField(
        label=_("After the deadline, remind again every this many days"),
        min_value=0,
        max_value=MAX_REPEAT_DAYS,
        help_text=_(
            "Learners get a reminder the day after the deadline, then again at this "
            "interval while they are late. 0: only that first reminder."
        ),
        error_messages={
            "required": _("Fill in a number of days (0 or more)."),
            "invalid": _("Fill in a whole number of days."),
            "min_value": _("The number of days cannot be negative."),
            "max_value": _("At most %(limit_value)s days."),
        },
    )
    escalate_after_days = forms.IntegerField(
        label=_("Tell the coordinators once someone is late this many days"),
        min_value=0,
        max_value=MAX_ESCALATE_DAYS,
        help_text=_(
            "Late people appear in the coordinators' weekly overview by email once they are "
            "this many days late. 0: as soon as they are late."
        ),
        error_messages={
            "required": _("Fill in a number of days (0 or more)."),
            "invalid": _("Fill in a whole number of days."),
            "min_value": _("The number of days cannot be negative."),
            "max_value": _("At most %(limit_value)s days."),
        },
    )

    @classmethod
    def initial_from(cls, rules: ReminderRules) -> dict:
        return {
            "days_before": ", ".join(str(days) for days in rules.days_before),
            "repeat_after_days": rules.repeat_after_days,
            "escalate_after_days": rules.escalate_after_days,
        }

    def clean_days_before(self) -> tuple[int, ...]:
        text = self.cleaned_data["days_before"].strip()
        parts = [part for part in re.split(r"[\s,;]+", text) if part]
        if any(not part.isdigit() for part in parts):
            raise forms.ValidationError(
                _("Use whole numbers of days separated by commas, for example 30, 7.")
            )
        days = sorted({int(part) for part in parts}, reverse=True)
        if any(not 1 <= number <= MAX_DAYS_BEFORE for number in days):
            raise forms.ValidationError(
                _("Each number of days must be between 1 and %(max)s.") % {"max": MAX_DAYS_BEFORE}
            )
        if len(days) > MAX_POINTS:
            raise forms.ValidationError(
                ngettext(
                    "At most %(count)d reminder before a deadline.",
                    "At most %(count)d reminders before a deadline.",
                    MAX_POINTS,
                )
                % {"count": MAX_POINTS}
            )
        return tuple(days)

    def rules(self) -> ReminderRules:
        return ReminderRules(
            days_before=self.cleaned_data["days_before"],
            repeat_after_days=self.cleaned_data["repeat_after_days"],
            escalate_after_days=self.cleaned_data["escalate_after_days"],
        )
