"""Opening a bound connection, and turning ldap3's exceptions into ours with a message for a person."""

from __future__ import annotations

import ssl
from collections.abc import Iterator
from contextlib import contextmanager, suppress

import ldap3
from ldap3.core import exceptions as ldap_exc

from provisioning.directory.config import DirectoryConfig
from provisioning.directory.errors import DirectoryError, DirectoryUnavailable

# Result codes that mean "not now" rather than "never".
_TRANSIENT_RESULTS = (
    ldap_exc.LDAPBusyResult,
    ldap_exc.LDAPUnavailableResult,
    ldap_exc.LDAPTimeLimitExceededResult,
)
_TRANSIENT_ERRORS = (
    ldap_exc.LDAPCommunicationError,  # refused, reset, receive timeout, server closed the session
    ldap_exc.LDAPResponseTimeoutError,
    ldap_exc.LDAPServerPoolExhaustedError,
    ldap_exc.LDAPMaximumRetriesError,
)
_HINTS = {
    "invalidCredentials": "the bind DN or password in the directory settings is wrong",
    "insufficientAccessRights": "the portal's directory account lacks permission for this",
    "noSuchObject": "a DN in the directory settings (base DN?) does not exist",
    "objectClassViolation": "the directory schema does not allow this entry",
    "undefinedAttributeType": "the directory schema does not know an attribute used",
    "constraintViolation": "the directory refused a value (already in use, or too long?)",
    "entryAlreadyExists": "an object with this name already exists",
    "strongerAuthRequired": "the server requires an encrypted connection (ldaps:// or start_tls)",
    "confidentialityRequired": "the server requires an encrypted connection (ldaps:// or start_tls)",
}


# TLS set-up failures are configuration problems, however ldap3 wraps them (even as socket errors).
_TLS_ERRORS = (ldap_exc.LDAPStartTLSError, ldap_exc.LDAPCertificateError, ldap_exc.LDAPSSLConfigurationError)
_TLS_MARKERS = ("CERTIFICATE_VERIFY_FAILED", "certificate verify failed", "doesn't match any name")


def _is_tls_problem(exc: BaseException) -> bool:
    return isinstance(exc, _TLS_ERRORS) or any(marker in str(exc) for marker in _TLS_MARKERS)


def describe(exc: ldap_exc.LDAPOperationResult) -> str:
    text = str(exc.description or "error")
    hint = _HINTS.get(text)
    detail = (exc.message or "").strip()
    return "; ".join(part for part in (text, hint, detail) if part)


@contextmanager
def translated_errors(config: DirectoryConfig, action: str) -> Iterator[None]:
    """Run a block, re-raising ldap3 failures as DirectoryUnavailable or DirectoryError."""
    where = config.server_uri
    try:
        yield
    # OSError: a socket error that ldap3 did not wrap.
    except (*_TRANSIENT_RESULTS, *_TRANSIENT_ERRORS, *_TLS_ERRORS, OSError) as exc:
        if _is_tls_problem(exc):
            raise DirectoryError(
                f"Could not set up TLS with the directory at {where} to {action}: {exc}. "
                "Is ca_certs_file the CA that signed the server's certificate, and does the "
                "certificate name the host in server_uri?"
            ) from exc
        raise DirectoryUnavailable(
            f"The directory at {where} is unavailable while trying to {action}: {exc}. "
            "This is usually temporary; try again later."
        ) from exc
    except ldap_exc.LDAPOperationResult as exc:
        raise DirectoryError(f"The directory at {where} refused to {action}: {describe(exc)}.") from exc
    except ldap_exc.LDAPException as exc:
        raise DirectoryError(f"Could not {action} in the directory at {where}: {exc}.") from exc


def _server(config: DirectoryConfig) -> ldap3.Server:
    tls = None
    if config.server_uri.startswith("ldaps://") or config.start_tls:
        tls = ldap3.Tls(validate=ssl.CERT_REQUIRED, ca_certs_file=config.ca_certs_file)
    return ldap3.Server(
        config.server_uri, connect_timeout=config.connect_timeout, get_info=ldap3.NONE, tls=tls
    )


@contextmanager
def bound_connection(config: DirectoryConfig) -> Iterator[ldap3.Connection]:
    """A connection bound as the configured account, unbound on exit. One per public operation."""
    with translated_errors(config, f"bind as {config.bind_dn or 'anonymous'}"):
        connection = ldap3.Connection(
            _server(config),
            user=config.bind_dn or None,
            password=config.bind_password or None,
            raise_exceptions=True,
            receive_timeout=config.receive_timeout,
            auto_referrals=False,  # never wander off to another server with our credentials
            read_only=False,
        )
        connection.open()
        if config.start_tls:
            connection.start_tls()
        connection.bind()
    try:
        yield connection
    finally:
        with suppress(ldap_exc.LDAPException, OSError):
            connection.unbind()
