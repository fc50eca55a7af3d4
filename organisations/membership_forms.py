"""Forms of the coordinator's member pages: invite, import, teams, change a membership."""

from django import forms
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
