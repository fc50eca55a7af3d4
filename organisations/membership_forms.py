"""Forms of the coordinator's member pages: invite, import, teams, change a membership."""

from django import forms
from django.utils.html import format_html
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from . import imports
from .models import Organisation, Role, Team


class _OrganisationForm(forms.Form):
    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        if "team" in self.fields:
            self.fields["team"].queryset = Team.objects.filter(organisation=organisation)


class InviteForm(_OrganisationForm):
    email = forms.EmailField(label=_("Email address"), max_length=254)
    full_name = forms.CharField(
        label=_("Name"),
        max_length=200,
        required=False,
        help_text=_("Used in the invitation email."),
    )
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    # The role decides which requirements apply, so it is chosen, never defaulted.
    role = forms.ModelChoiceField(
        label=_("Role"),
        queryset=Role.objects.all(),
        empty_label=_("Choose a role"),
        help_text=_("Which modules the framework asks of this person depends on the role."),
    )
    is_coordinator = forms.BooleanField(
        label=_("Coordinator: may see the progress of everyone in the organisation"),
        required=False,
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["email"].widget.attrs["autocomplete"] = "off"


class ImportForm(forms.Form):
    file = forms.FileField(
        label=_("File (CSV or Excel .xlsx)"),
    )
    create_teams = forms.BooleanField(label=_("Create teams that do not exist yet"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].help_text = _("At most %(rows)s rows and %(mb)s MB.") % {
            "rows": imports.MAX_ROWS,
            "mb": imports.MAX_BYTES // 2**20,
        }
        self.fields["file"].widget.attrs["accept"] = (
            ".csv,.txt,.xlsx,text/csv,"
            "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
        )


class TeamForm(forms.Form):
    name = forms.CharField(label=_("Name of the new team"), max_length=100)


class RenameTeamForm(forms.Form):
    team = forms.IntegerField(widget=forms.HiddenInput)
    name = forms.CharField(label=_("New name"), max_length=100)


class ChangeMembershipForm(_OrganisationForm):
    team = forms.ModelChoiceField(
        label=_("Team"), queryset=Team.objects.none(), required=False, empty_label=_("No team")
    )
    role = forms.ModelChoiceField(label=_("Role"), queryset=Role.objects.all())
    is_coordinator = forms.BooleanField(label=_("Coordinator"), required=False)


class EndMembershipForm(forms.Form):
    confirm = forms.BooleanField(label=_("Yes, end this membership"))


class ColumnsForm(forms.Form):
    """Which field each column of the uploaded file holds (or 'do not import'), and whether
    unknown teams are created. One select per column, labelled with the column's header."""

    create_teams = forms.BooleanField(label=_("Create teams that do not exist yet"), required=False)
    IGNORE_CHOICE = "negeren"

    def __init__(self, *args, columns: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.columns = columns
        # Every column gets an answer ('do not import' is one), so none is 'optional'.
        choices = [(self.IGNORE_CHOICE, _("Do not import"))] + list(imports.FIELDS.items())
        fields = {}
        for column in columns:
            if column.example:
                help_text = format_html(gettext("For example: {}"), column.example[:60])
            else:
                help_text = _("The column is empty.")
            if not column.recognised:
                help_text = format_html(
                    "<strong>{}</strong> {}", gettext("Column not recognised."), help_text
                )
            fields[f"kolom-{column.position}"] = forms.ChoiceField(
                label=format_html(gettext("Column '{}'"), column.header),
                choices=choices,
                initial=column.field or self.IGNORE_CHOICE,
                help_text=help_text,
            )
        # The columns first, in the file's order; the tick after them.
        self.fields = {**fields, "create_teams": self.fields["create_teams"]}

    def clean(self):
        data = super().clean()
        chosen: dict[str, str] = {}
        for column in self.columns:
            name = f"kolom-{column.position}"
            field = data.get(name)
            if field in (None, self.IGNORE_CHOICE):
                continue
            if field in chosen:
                self.add_error(
                    name,
                    _("'%(field)s' is already the column '%(other)s'. Choose one of the two.")
                    % {"field": imports.FIELDS[field], "other": chosen[field]},
                )
            chosen[field] = column.header
        return data

    def mapping(self, headers: list[str]) -> list[str]:
        """The field of each header position (IGNORE where none, or no header)."""
        chosen = {
            column.position: self.cleaned_data[f"kolom-{column.position}"]
            for column in self.columns
        }
        return [
            imports.IGNORE
            if chosen.get(position, self.IGNORE_CHOICE) == self.IGNORE_CHOICE
            else chosen[position]
            for position in range(len(headers))
        ]


class ConfirmImportForm(forms.Form):
    plan = forms.CharField(widget=forms.HiddenInput, max_length=64)
