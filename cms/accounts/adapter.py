from allauth.account.adapter import DefaultAccountAdapter
from django.utils.translation import get_language


class AccountAdapter(DefaultAccountAdapter):
    def save_user(self, request, user, form, commit: bool = True):
        # The sign-up form asks for the name printed on certificates; the language the
        # person signed up in becomes their preferred language.
        user.full_name = form.cleaned_data["full_name"]
        user.preferred_language = get_language() or user.preferred_language
        return super().save_user(request, user, form, commit=commit)
