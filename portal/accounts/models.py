from django.contrib.auth.models import AbstractUser
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q

from portal.core.models import TimeStampedModel


class User(AbstractUser):
    """The portal's user; SSO/LDAP login backends map onto it."""

    class Meta(AbstractUser.Meta):
        # The platform admin role (portal.core.roles); is_staff only opens the Django admin.
        permissions = [("platform_admin", "Platform admin: sees and operates every team's requests and resources")]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class IdentityRoleMapping(TimeStampedModel):
    """A directory group (LDAP/AD login) or a single sign-on claim value (OpenID Connect login) that gives
    people a portal role at each login through that source (``identity_roles``).

    Teams named by a mapping of a source are kept in step for people who log in through that source
    (added and removed); other memberships are left alone. Same for the admin role (``is_staff`` and
    the "Portal admins" group, which holds the platform admin permission) once a mapping of the source
    grants it.
    """

    class Source(models.TextChoices):
        DIRECTORY = "directory", "Directory group (LDAP/AD login)"
        OIDC = "oidc", "Single sign-on claim value (OpenID Connect)"

    class Role(models.TextChoices):
        REQUESTER = "requester", "Requester in a modelling team"  # member of the team: requests resources
        APPROVER = "approver", "Approver in a steering team"  # member of the team: decides its stages
        ADMIN = "admin", "Portal admin (staff)"  # Portal admins group (platform admin) + is_staff (admin's door)

    source = models.CharField(max_length=20, choices=Source.choices, default=Source.DIRECTORY)
    group = models.CharField(
        "group or claim value", max_length=500,
        help_text="A directory group: its DN (cn=ml-churn,ou=groups,dc=example,dc=org) or just its name "
        "(ml-churn); DNs compare as the directory does, names ignore case. A single sign-on claim value: "
        "one value of the role claims (PORTAL_OIDC_ROLE_CLAIMS, e.g. the groups claim), compared exactly.",
    )
    role = models.CharField(max_length=20, choices=Role.choices)
    team = models.ForeignKey(
        "teams.Team", null=True, blank=True, on_delete=models.CASCADE, related_name="role_mappings",
        help_text="The modelling team (requester) or steering team (approver); empty for portal admin.",
    )

    class Meta:
        ordering = ["source", "role", "team__name", "group"]
        constraints = [
            models.CheckConstraint(
                condition=Q(role="admin", team__isnull=True) | (~Q(role="admin") & Q(team__isnull=False)),
                name="identity_mapping_team_iff_not_admin",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.group} → {self.get_role_display()}" + (f" {self.team}" if self.team_id else "")

    def clean(self) -> None:
        from ldap3.core.exceptions import LDAPInvalidDnError
        from ldap3.utils.dn import parse_dn

        from portal.teams.models import Team

        self.group = (self.group or "").strip()
        if not self.group:
            raise ValidationError({"group": "Give the directory group or the claim value."})
        if self.source == self.Source.DIRECTORY and "=" in self.group:
            try:
                parse_dn(self.group)
            except LDAPInvalidDnError:
                raise ValidationError({"group": "This is not a valid DN; give the group's DN or just its name."})
        wanted_kind = {self.Role.REQUESTER: Team.Kind.MODELLING, self.Role.APPROVER: Team.Kind.STEERING}.get(self.role)
        if wanted_kind is None and self.team_id:
            raise ValidationError({"team": "A portal admin is not a team role: leave the team empty."})
        if wanted_kind is not None:
            if not self.team_id:
                raise ValidationError({"team": "Choose the team this role is in."})
            if self.team.kind != wanted_kind:
                raise ValidationError({"team": f"A {self.get_role_display().lower()} needs a "
                                               f"{Team.Kind(wanted_kind).label.lower()}."})


class PersonalAccessToken(TimeStampedModel):
    """A person's key for scripts (the API and the ``portal`` command): shown once, stored as a hash.

    It acts as its owner — never more: scopes only narrow what the owner may do (portal.accounts.tokens).
    """

    class Scope(models.TextChoices):
        READ = "read", "Read: look at what you may see"
        REQUEST = "request", "Request: ask for, change, withdraw, retry and cancel requests"
        APPROVE = "approve", "Approve: decide stages and delegate"
        ADMIN = "admin", "Admin: audit export and other platform-admin calls"

    user = models.ForeignKey("accounts.User", on_delete=models.CASCADE, related_name="access_tokens")
    name = models.CharField(max_length=100, help_text="What the token is for, e.g. “CI job nightly-gpu”.")
    prefix = models.CharField(max_length=16, unique=True, editable=False)  # shown in lists; finds the row
    digest = models.CharField(max_length=64, editable=False)  # SHA-256 of the whole token
    scopes = models.JSONField(default=list)
    expires_at = models.DateTimeField()
    last_used_at = models.DateTimeField(null=True, blank=True, editable=False)
    revoked_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-created_at"]
        constraints = [models.UniqueConstraint(fields=["user", "name"], condition=Q(revoked_at__isnull=True),
                                               name="one_live_token_per_name")]

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"
