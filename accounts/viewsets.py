from django.utils.translation import gettext_lazy
from wagtail.users.views.users import DeleteView as WagtailUserDeleteView
from wagtail.users.views.users import UserViewSet as WagtailUserViewSet

from core.admin_audit import AuditedViewSetMixin

from . import services
from .forms import AdminUserCreationForm, AdminUserEditForm


class RemoveAccountView(WagtailUserDeleteView):
    """Deleting a user in the admin removes the account as the person's own deletion does
    (services.delete_account): personal data goes, the anonymised history stays, so
    certificates keep verifying and the organisations' figures keep counting."""

    page_title = gettext_lazy("Remove account")
    success_message = gettext_lazy(
        "The account of '%(object)s' is removed: its personal data is deleted and its "
        "history kept anonymised."
    )

    @property
    def confirmation_message(self):
        return gettext_lazy(
            "Remove this account? Its name, email addresses, password, sessions and "
            "reflection answers are deleted and its memberships end today. Enrolments, "
            "quiz answers and certificates stay without the name: a certificate then "
            "verifies as issued to a removed account. This cannot be undone."
        )

    def delete_action(self):
        services.delete_account(user=self.object)


class UserViewSet(AuditedViewSetMixin, WagtailUserViewSet):
    """Wagtail's users, with our forms and removal; every view of an account is audited
    (core.admin_audit)."""

    delete_view_class = RemoveAccountView

    def audit_subjects(self, objects):
        return [user.pk for user in objects]

    def get_form_class(self, for_update: bool = False):
        return AdminUserEditForm if for_update else AdminUserCreationForm
