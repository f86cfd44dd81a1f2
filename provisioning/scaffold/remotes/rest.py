"""A small JSON-over-HTTPS client for hosting APIs: errors become ours, the token never shows."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any
from urllib.parse import quote, urlsplit, urlunsplit

import requests

from ..errors import RemoteAuthError, RemoteError, RemoteUnavailableError


class Secret:
    """Holds a credential; its repr and str never reveal it."""

    __slots__ = ("_value",)

    def __init__(self, value: str) -> None:
        if not value:
            raise ValueError("empty credential")
        self._value = value

    def reveal(self) -> str:
        return self._value

    def __repr__(self) -> str:
        return "Secret('***')"

    __str__ = __repr__


class JsonApi:
    def __init__(
        self,
        service: str,
        base_url: str,
        headers: Callable[[], dict[str, str]],
        secret: Secret,
        *,
        session: requests.Session | None = None,
        timeout: float = 15.0,
    ) -> None:
        self.service, self.base_url = service, base_url.rstrip("/")
        self._headers, self._secret = headers, secret
        self._session = session or requests.Session()
        self.timeout = timeout

    def __repr__(self) -> str:
        return f"JsonApi({self.service!r}, {self.base_url!r})"

    def call(
        self, method: str, path: str, *, json: Any = None, ok: Iterable[int] = (200,)
    ) -> requests.Response:
        """Send one request; statuses in ``ok`` (and 404/409/422/400 for the caller) are returned."""
        try:
            response = self._session.request(
                method,
                self.base_url + path,
                json=json,
                headers=self._headers(),
                timeout=self.timeout,
                allow_redirects=False,
            )
        except requests.RequestException as exc:
            raise RemoteUnavailableError(
                f"{self.service} at {self.base_url} unreachable: {type(exc).__name__}"
            ) from None
        status = response.status_code
        if status in tuple(ok) or status in (400, 404, 409, 422):
            return response
        detail = self.message(response)
        if status in (401, 403):
            raise RemoteAuthError(
                f"{self.service} refused the portal's credentials for {method} {path} "
                f"(HTTP {status}: {detail})",
                status=status,
            )
        if status >= 500 or status == 429:
            raise RemoteUnavailableError(
                f"{self.service} is unavailable (HTTP {status}: {detail})", status=status
            )
        raise RemoteError(f"{self.service} {method} {path} failed (HTTP {status}: {detail})", status=status)

    def message(self, response: requests.Response) -> str:
        """The API's own error text (``message``/``errors``), trimmed and with the token scrubbed."""
        try:
            body = response.json()
        except ValueError:
            text = response.text
        else:
            text = str(body.get("message", body)) if isinstance(body, dict) else str(body)
            if isinstance(body, dict) and body.get("errors"):
                text += f" {body['errors']}"
        return text.replace(self._secret.reveal(), "***")[:300]

    def fail(self, what: str, response: requests.Response) -> RemoteError:
        return RemoteError(
            f"{self.service}: {what} failed (HTTP {response.status_code}: {self.message(response)})",
            status=response.status_code,
        )


def segment(value: str) -> str:
    """One URL path segment (or a full ``group/sub`` path as GitLab wants it), percent-encoded."""
    return quote(value, safe="")


def with_credentials(url: str, user: str, secret: Secret) -> str:
    """``https://user:token@host/path`` — for git only; never log or store the result."""
    parts = urlsplit(url)
    netloc = f"{segment(user)}:{segment(secret.reveal())}@{parts.netloc.rsplit('@', 1)[-1]}"
    return urlunsplit((parts.scheme, netloc, parts.path, parts.query, parts.fragment))
