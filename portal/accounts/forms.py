from django import forms
from django.contrib.auth.forms import AuthenticationForm

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
