from django.utils.translation import ngettext
from wagtail import hooks
from wagtail.users.views.bulk_actions.delete import DeleteBulkAction

from . import services


# order=1: registered after Wagtail's own user 'delete' bulk action, which it replaces.
@hooks.register("register_bulk_action", order=1)
class RemoveAccountsBulkAction(DeleteBulkAction):
    """The user listing's bulk 'Delete' removes each account through
    services.delete_account, as the single delete does (viewsets.RemoveAccountView)."""

    @classmethod
    def execute_action(cls, objects, model=None, **kwargs):
        for user in objects:
            services.delete_account(user=user)
        return len(objects), 0

    def get_success_message(self, num_parent_objects, num_child_objects):
        return ngettext(
            "%(count)d account has been removed: its personal data is deleted and its "
            "history kept anonymised.",
            "%(count)d accounts have been removed: their personal data is deleted and their "
            "history kept anonymised.",
            num_parent_objects,
        ) % {"count": num_parent_objects}
