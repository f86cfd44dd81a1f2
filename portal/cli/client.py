"""The portal's HTTP API as the command sees it: ``/api/v1/`` under the portal's URL, the token sent as
``Authorization: Bearer``, every refusal (RFC 9457 problem) turned into a :class:`PortalError` that says
what the portal said and how the command should exit, pages followed, and calls that never reached the
portal (connection refused, DNS, connect timeout) tried again a few times."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import httpx

API = "/api/v1/"

# Exit codes of the command (also in `portal --help`).
OK, REFUSED, USAGE, AUTH, NOT_FOUND, UNAVAILABLE = 0, 1, 2, 3, 4, 5
PAGE_SIZE = 200  # the most the portal gives in one page
BACKOFF = 0.5  # seconds before the first new attempt; doubled each time
MAX_THROTTLE_WAIT = 60  # a throttled call waits for the Retry-After the portal gives, up to this


LOST = (httpx.ReadError, httpx.WriteError, httpx.RemoteProtocolError, httpx.ReadTimeout)


class PortalError(Exception):
    """Something the user must be told, and the exit code that says what kind of thing it was."""

    def __init__(self, message: str, *, exit_code: int = REFUSED, errors: list[dict] | None = None,
                 status: int | None = None, hint: str | None = None):
        super().__init__(message)
        self.message, self.exit_code, self.errors, self.status, self.hint = message, exit_code, errors or [], \
            status, hint


def exit_code_for(status: int) -> int:
    if status in (401, 403):
        return AUTH
    if status == 404:
        return NOT_FOUND
    if status == 429 or status >= 500:
        return UNAVAILABLE
    return REFUSED


def error_from(response: httpx.Response) -> PortalError:
    """The portal's problem (``detail`` and each ``errors[].pointer``) as a PortalError; a non-problem
    answer (a proxy's HTML page, a crash) is described by its status alone, never dumped."""
    status = response.status_code
    body: Any = None
    if "json" in response.headers.get("content-type", ""):
        try:
            body = response.json()
        except ValueError:
            body = None
    if isinstance(body, dict) and (body.get("detail") or body.get("title")):
        message = str(body.get("detail") or body.get("title"))
        errors = [e for e in body.get("errors") or [] if isinstance(e, dict)]
    else:
        message = f"The portal answered {status} {response.reason_phrase or ''}".strip() + "."
        errors = []
    hint = None
    if status == 401:
        hint = "Log in again with `portal login` (or set PORTAL_TOKEN) using a valid personal access token."
    elif status == 429:
        retry = response.headers.get("Retry-After")
        hint = f"Too many calls: try again in {retry} seconds." if retry else "Too many calls: try again later."
    return PortalError(message, exit_code=exit_code_for(status), errors=errors, status=status, hint=hint)


def _seconds(value: str | None) -> float | None:
    try:
        return max(0.0, float(value)) if value is not None else None
    except ValueError:
        return None


class Client:
    """One portal: ``Client(url, token)``. ``connect_retries`` more attempts for a call that could not
    connect (it never reached the portal, so it is safe to send again — also for a POST)."""

    def __init__(self, url: str, token: str | None, *, timeout: float = 30.0, connect_retries: int = 3,
                 backoff: float | None = None, transport: httpx.BaseTransport | None = None):
        self.url = url.rstrip("/")
        self.token = token
        self.connect_retries = connect_retries
        self.backoff = BACKOFF if backoff is None else backoff
        headers = {"Accept": "application/json", "User-Agent": "portal-cli"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        self.http = httpx.Client(base_url=self.url + API, headers=headers, timeout=timeout, transport=transport,
                                 follow_redirects=False)

    def close(self) -> None:
        self.http.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc) -> None:
        self.close()

    def send(self, method: str, path: str, *, params: dict | None = None, json: Any = None,
             headers: dict | None = None) -> httpx.Response:
        """The answer to one call; a PortalError for anything but a success."""
        return self._again(method, path, params=params, json=json, headers=headers, attempt=0)

    def _again(self, method: str, path: str, *, params: dict | None, json: Any, headers: dict | None,
               attempt: int) -> httpx.Response:
        if not self.token:
            raise PortalError("You are not logged in: run `portal login` (or set PORTAL_TOKEN).", exit_code=AUTH)
        params = {k: v for k, v in (params or {}).items() if v is not None and v != "" and v != []}
        # A GET changes nothing, and a POST with an Idempotency-Key gets the first answer again.
        again_is_safe = method == "GET" or "Idempotency-Key" in (headers or {})
        while True:
            try:
                response = self.http.request(method, path.lstrip("/") if not path.startswith("http") else path,
                                             params=params or None,  # {} would drop a `next` link's query
                                             json=json, headers=headers)
                break
            except (httpx.ConnectError, httpx.ConnectTimeout) as exc:  # never reached the portal
                if attempt >= self.connect_retries:
                    raise PortalError(f"Cannot reach the portal at {self.url}: {exc}.", exit_code=UNAVAILABLE,
                                      hint="Check the URL (`portal login --url …` or PORTAL_URL) and your network.")
                time.sleep(self.backoff * 2 ** attempt)
                attempt += 1
            except LOST as exc:  # sent, but the answer was lost: again only if that cannot do it twice
                if not again_is_safe or attempt >= self.connect_retries:
                    raise PortalError(f"The call to the portal at {self.url} got no answer: {exc}.",
                                      exit_code=UNAVAILABLE)
                time.sleep(self.backoff * 2 ** attempt)
                attempt += 1
            except httpx.TimeoutException:
                raise PortalError(f"The portal at {self.url} did not answer in time.", exit_code=UNAVAILABLE)
            except httpx.HTTPError as exc:
                raise PortalError(f"Talking to the portal at {self.url} failed: {exc}.", exit_code=UNAVAILABLE)
        if response.status_code == 429 and again_is_safe and attempt < self.connect_retries:
            wait = _seconds(response.headers.get("Retry-After"))
            if wait is not None and wait <= MAX_THROTTLE_WAIT:  # throttled (e.g. a long watch): wait, then again
                time.sleep(wait)
                return self._again(method, path, params=params, json=json, headers=headers, attempt=attempt + 1)
        if response.is_redirect:
            # the API never redirects; a redirect means the URL is not the portal's (e.g. http → https, a login page)
            raise PortalError(f"The portal at {self.url} redirected to {response.headers.get('location')}: "
                              "is the URL right?", exit_code=UNAVAILABLE)
        if response.is_error:
            raise error_from(response)
        return response

    def get(self, path: str, **params) -> Any:
        return self._json(self.send("GET", path, params=params))

    def post(self, path: str, body: Any = None, *, headers: dict | None = None) -> Any:
        return self._json(self.send("POST", path, json=body if body is not None else {}, headers=headers))

    def _json(self, response: httpx.Response) -> Any:
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            raise PortalError(f"The portal at {self.url} answered something that is not JSON: is the URL right?",
                              exit_code=UNAVAILABLE)

    def pages(self, path: str, *, limit: int | None = None, **params) -> Iterator[dict]:
        """Every result of a list, following ``next`` (cursor pages) until ``limit`` results; a plain list
        (an unpaginated answer) is returned as it is."""
        if limit is not None and limit <= 0:
            return
        if limit:
            params.setdefault("page_size", min(limit, PAGE_SIZE))
        else:
            params.setdefault("page_size", PAGE_SIZE)
        count = 0
        page = self.get(path, **params)
        while True:
            results = page if isinstance(page, list) else page.get("results", [])
            for result in results:
                yield result
                count += 1
                if limit is not None and count >= limit:
                    return
            following = None if isinstance(page, list) else page.get("next")
            if not following:
                return
            page = self._json(self.send("GET", following))  # `next` carries every query parameter

    def download(self, path: str, **params) -> httpx.Response:
        return self.send("GET", path, params=params)
