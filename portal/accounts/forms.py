from django import forms
from django.contrib.auth.forms import AuthenticationForm

from .models import PersonalAccessToken
from .tokens import DEFAULT_DAYS, MAX_DAYS

# What the directory login backend notes on the request when the directory, not the password, failed.
DIRECTORY_UNAVAILABLE, DIRECTORY_REFUSED = "unavailable", "refused"


class LoginForm(AuthenticationForm):
    """The login form; says so when the directory could not check the password."""

    error_messages = {
        **AuthenticationForm.error_messages,
        DIRECTORY_UNAVAILABLE: "The directory that checks passwords cannot be reached right now, so directory "
                               "accounts cannot log in. Please try again in a few minutes; local accounts still "
                               "work.",
        DIRECTORY_REFUSED: "The directory refused the portal's password check, so directory accounts cannot log "
                           "in. Please tell a portal admin; local accounts still work.",
    }

    def get_invalid_login_error(self):
        problem = getattr(self.request, "directory_login_problem", None)
        if problem in (DIRECTORY_UNAVAILABLE, DIRECTORY_REFUSED):
            return forms.ValidationError(self.error_messages[problem], code=f"directory_{problem}")
        return super().get_invalid_login_error()


class TokenForm(forms.Form):
    """A new personal access token: what it is for, what it may do, how long it lives. The rules are the
    service's (portal.accounts.tokens.create_token); its refusals land next to the field they name."""

    name = forms.CharField(max_length=100, help_text="What the token is for, e.g. “CI job nightly-gpu”.")
    scopes = forms.MultipleChoiceField(widget=forms.CheckboxSelectMultiple, choices=PersonalAccessToken.Scope.choices,
                                       initial=["read"],
                                       help_text="A token never does more than you may do; scopes narrow it further.")
    days = forms.IntegerField(label="Lifetime in days", min_value=1, max_value=MAX_DAYS, initial=DEFAULT_DAYS,
                              help_text=f"1 to {MAX_DAYS} days; the token stops working afterwards.")
