"""Logging in through an OpenID Connect provider (``PORTAL_OIDC_ISSUER``), via mozilla-django-oidc.

The authorization code flow with PKCE (S256) and a nonce; the provider's endpoints and signing keys come
from its discovery document, read when a login first needs them and cached. The ID token is checked
here beyond what the library checks: signature with the provider's published keys, issuer, audience
(and ``azp`` when there are several), expiry and issue time (``PORTAL_OIDC_LEEWAY_SECONDS`` of clock
skew). The person is the portal user named by the username claim (made at the first login unless
``PORTAL_OIDC_CREATE_USERS`` is off); name and email are copied at each login, and the role claims'
values are mapped to roles (``identity_roles.apply_claim_roles``). Anything refused raises
``SignOnFailed``, which the callback page (``sso_views``) shows and audits. Tokens and the client secret
are never logged nor stored.
"""

from __future__ import annotations

import hashlib
import logging

import jwt
import requests
from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.core.exceptions import SuspiciousOperation, ValidationError
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from .identity_roles import apply_claim_roles

log = logging.getLogger(__name__)

START_AGAIN = "Please start again from the login page."


class SignOnFailed(Exception):
    """A single sign-on the portal refuses or cannot finish. ``reason`` is a short code (audit),
    ``message`` what the person reads, ``status`` the page's HTTP status."""

    def __init__(self, reason: str, message: str, status: int = 403, username: str = ""):
        super().__init__(reason)
        self.reason, self.message, self.status, self.username = reason, message, status, username


def unavailable(what: str) -> SignOnFailed:
    return SignOnFailed("provider_unavailable", f"The single sign-on provider cannot be reached right now ({what}). "
                        "Please try again in a few minutes.", status=503)


def provider_metadata() -> dict:
    """The provider's discovery document (cached ``PORTAL_OIDC_DISCOVERY_CACHE_SECONDS``); its issuer must
    be the configured one."""
    issuer = settings.PORTAL_OIDC_ISSUER
    key = "portal:oidc-discovery:" + hashlib.sha256(issuer.encode()).hexdigest()[:32]
    metadata = cache.get(key)
    if metadata:
        return metadata
    try:
        response = requests.get(f"{issuer}/.well-known/openid-configuration", timeout=settings.OIDC_TIMEOUT)
        response.raise_for_status()
        metadata = response.json()
    except (requests.RequestException, ValueError) as error:
        log.warning("single sign-on: cannot read the discovery document of %s: %s", issuer, type(error).__name__)
        raise unavailable("its discovery document cannot be read")
    missing = [k for k in ("issuer", "authorization_endpoint", "token_endpoint", "jwks_uri") if not metadata.get(k)]
    if missing or str(metadata["issuer"]).rstrip("/") != issuer:
        log.error("single sign-on: the discovery document of %s is unusable (missing %s, issuer %r)",
                  issuer, missing, metadata.get("issuer"))
        raise SignOnFailed("provider_misconfigured", "The single sign-on provider is not set up as the portal "
                           "expects. Please tell a portal admin.", status=502)
    cache.set(key, metadata, settings.PORTAL_OIDC_DISCOVERY_CACHE_SECONDS)
    return metadata


SIGNED_ON = "portal_signed_on"  # session key: this session began with a single sign-on


def provider_logout_url(post_logout_redirect_uri: str) -> str | None:
    """Where to send a person logging out of a session that began with single sign-on, so the provider's
    session ends too (OpenID Connect RP-Initiated Logout, by ``client_id``: no token is kept for a hint);
    None when the provider offers no ``end_session_endpoint``, is unreachable, or it is turned off
    (``PORTAL_OIDC_LOGOUT``) — then only the portal's session ends."""
    from urllib.parse import urlencode

    if not (settings.PORTAL_OIDC and settings.PORTAL_OIDC_LOGOUT):
        return None
    try:
        endpoint = provider_metadata().get("end_session_endpoint")
    except SignOnFailed:
        return None
    if not endpoint:
        return None
    query = urlencode({"client_id": settings.OIDC_RP_CLIENT_ID, "post_logout_redirect_uri": post_logout_redirect_uri})
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


def claim(claims: dict, path: str):
    """A claim by name, or a nested one by dotted path (``realm_access.roles``)."""
    value = claims
    for part in path.split("."):
        if not isinstance(value, dict) or part not in value:
            return None
        value = value[part]
    return value


def role_values(claims: dict) -> list[str]:
    """The values of the role claims (``PORTAL_OIDC_ROLE_CLAIMS``): a string or a list of strings each."""
    values: list[str] = []
    for path in settings.PORTAL_OIDC_ROLE_CLAIMS:
        value = claim(claims, path)
        items = [value] if isinstance(value, str) else value if isinstance(value, list) else []
        values += [str(item) for item in items if isinstance(item, (str, int))]
    return values


class SingleSignOnBackend(OIDCAuthenticationBackend):
    """mozilla-django-oidc's backend, configured by the portal's settings and the provider's discovery."""

    OIDC_RP_IDP_SIGN_KEY = None  # the provider's keys come from its JWKS

    def __init__(self, *args, **kwargs):  # cheap: Django makes one per authenticate() and per request
        self.UserModel = get_user_model()
        self._claims: dict | None = None  # this login's claims, read once

    @property
    def OIDC_OP_TOKEN_ENDPOINT(self):  # noqa: N802 (the library's attribute names)
        return provider_metadata()["token_endpoint"]

    @property
    def OIDC_OP_USER_ENDPOINT(self):  # noqa: N802
        return provider_metadata().get("userinfo_endpoint")

    @property
    def OIDC_OP_JWKS_ENDPOINT(self):  # noqa: N802
        return provider_metadata()["jwks_uri"]

    @property
    def OIDC_RP_CLIENT_ID(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_ID

    @property
    def OIDC_RP_CLIENT_SECRET(self):  # noqa: N802
        return settings.OIDC_RP_CLIENT_SECRET

    @property
    def OIDC_RP_SIGN_ALGO(self):  # noqa: N802
        return settings.OIDC_RP_SIGN_ALGO

    def authenticate(self, request, nonce=None, code_verifier=None, **kwargs):
        """Only the callback's call (a nonce and a PKCE verifier, nothing else): never a password login."""
        if request is None or not settings.PORTAL_OIDC or nonce is None or code_verifier is None or kwargs:
            return None
        try:
            return super().authenticate(request, nonce=nonce, code_verifier=code_verifier)
        except requests.HTTPError as error:  # the token endpoint refused the code (expired, used, PKCE)
            status = error.response.status_code if error.response is not None else None
            log.warning("single sign-on: the provider refused the authorization code (HTTP %s)", status)
            if status is not None and 400 <= status < 500:
                raise SignOnFailed("code_refused", "The single sign-on provider refused to finish this sign-in "
                                   f"(it may have expired or been used already). {START_AGAIN}", status=400)
            raise unavailable(f"it answered HTTP {status}")
        except requests.RequestException as error:
            log.warning("single sign-on: calling the provider failed: %s", type(error).__name__)
            raise unavailable("a call to it failed")

    # --- the ID token ------------------------------------------------------------------------------

    def verify_token(self, token, **kwargs):
        if not token:
            raise SignOnFailed("no_id_token", f"The single sign-on provider sent no ID token. {START_AGAIN}")
        try:
            return super().verify_token(token, **kwargs)
        except (SuspiciousOperation, KeyError, ValueError, jwt.InvalidTokenError) as error:  # bad kid/alg, nonce
            log.warning("single sign-on: ID token refused: %s", error if isinstance(error, SuspiciousOperation)
                        else type(error).__name__)
            raise SignOnFailed("token_invalid", "The sign-in could not be verified (its token is not one the "
                               f"provider signed for this sign-in). {START_AGAIN}")

    def _verify_jws(self, payload, key):
        """Signature with the provider's key, and the claims the library leaves unchecked."""
        refused = "The sign-in was refused: "
        try:
            claims = jwt.decode(
                payload, key, algorithms=[self.OIDC_RP_SIGN_ALGO], audience=self.OIDC_RP_CLIENT_ID,
                issuer=settings.PORTAL_OIDC_ISSUER, leeway=settings.PORTAL_OIDC_LEEWAY_SECONDS,
                options={"require": ["iss", "aud", "exp", "iat", "sub"]})
        except jwt.ExpiredSignatureError:
            raise SignOnFailed("token_expired", refused + f"its token has expired. {START_AGAIN}")
        except jwt.InvalidAudienceError:
            raise SignOnFailed("token_audience", refused + "its token was issued for another application.")
        except jwt.InvalidIssuerError:
            raise SignOnFailed("token_issuer", refused + "its token comes from another provider.")
        except (jwt.ImmatureSignatureError, jwt.InvalidIssuedAtError):
            raise SignOnFailed("token_not_yet_valid", refused + "its token is not valid yet (check the clocks).")
        audiences = claims["aud"] if isinstance(claims["aud"], list) else [claims["aud"]]
        if len(audiences) > 1 and claims.get("azp") != self.OIDC_RP_CLIENT_ID:
            raise SignOnFailed("token_audience", refused + "its token was issued for another application.")
        return claims

    # --- the person --------------------------------------------------------------------------------

    def get_userinfo(self, access_token, id_token, payload):
        """The ID token's claims with the userinfo endpoint's (same subject) on top."""
        if self._claims is not None:
            return self._claims
        claims = dict(payload)
        if self.OIDC_OP_USER_ENDPOINT and access_token:
            info = super().get_userinfo(access_token, id_token, payload)
            if info.get("sub") != payload.get("sub"):
                raise SignOnFailed("userinfo_subject", "The single sign-on provider answered about someone else. "
                                   + START_AGAIN)
            claims.update(info)
        self._claims = claims
        return claims

    def _username(self, claims: dict) -> str:
        name = settings.PORTAL_OIDC_CLAIMS["username"]
        username = claim(claims, name)
        if not isinstance(username, str) or not username.strip():
            raise SignOnFailed("no_username", f"The single sign-on provider did not say who you are (no “{name}” "
                               "claim). Please tell a portal admin.")
        username = username.strip()
        try:
            self.UserModel.username_validator(username)
            if len(username) > self.UserModel._meta.get_field("username").max_length:
                raise ValidationError("too long")
        except ValidationError:
            raise SignOnFailed("bad_username", f"The username the single sign-on provider gave (claim “{name}”) "
                               "cannot be a portal username. Please tell a portal admin.")
        return username

    def verify_claims(self, claims):
        self._username(claims)
        return True

    def filter_users_by_claims(self, claims):
        return self.UserModel.objects.filter(username=self._username(claims))

    def _profile(self, claims: dict) -> dict[str, str]:
        fields = {}
        for field in ("email", "first_name", "last_name"):
            value = claim(claims, settings.PORTAL_OIDC_CLAIMS[field])
            if isinstance(value, str):
                fields[field] = value.strip()[:self.UserModel._meta.get_field(field).max_length]
        return fields

    def create_user(self, claims):
        return self.UserModel.objects.create_user(self._username(claims), **self._profile(claims))  # no password

    def update_user(self, user, claims):
        # A provider may let people choose their own username: never hand them an account that signs in with its
        # own password (the demo admin, a break-glass superuser). Accounts made by single sign-on or the directory
        # have no usable password; an admin links a local one by removing its password.
        if user.has_usable_password() or user.is_superuser:
            raise SignOnFailed("local_account", f"An account named “{user.username}” already exists on this portal "
                               "with its own password, so single sign-on does not take it over. Please ask a portal "
                               "admin to link it.", username=user.username)
        profile = {k: v for k, v in self._profile(claims).items() if getattr(user, k) != v}
        if profile:
            for field, value in profile.items():
                setattr(user, field, value)
            user.save(update_fields=list(profile))
        return user

    def get_or_create_user(self, access_token, id_token, payload):
        claims = self.get_userinfo(access_token, id_token, payload)
        username = self._username(claims)
        user = super().get_or_create_user(access_token, id_token, payload)
        if user is None:
            raise SignOnFailed("no_account", "You signed in, but you have no account on this portal yet. "
                               "Please ask a portal admin for one.", username=username)
        if not user.is_active:
            raise SignOnFailed("inactive", "Your portal account is disabled. Please ask a portal admin.",
                               username=username)
        apply_claim_roles(user=user, claim_values=role_values(claims))
        return user
