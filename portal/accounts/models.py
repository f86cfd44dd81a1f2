from django.contrib.auth.models import AbstractUser


class User(AbstractUser):
    """The portal's user; SSO/LDAP login backends map onto it."""

    def __str__(self) -> str:
        return self.get_full_name() or self.username
