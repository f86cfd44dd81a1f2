"""Where the client keeps the portal's URL and the token: ``config.json`` in the user's config directory
(``typer.get_app_dir("portal")``, e.g. ``~/.config/portal``), the file readable by its owner alone (0600,
directory 0700). ``PORTAL_URL`` and ``PORTAL_TOKEN`` in the environment win over the file."""

from __future__ import annotations

import json
import os
import tempfile
from dataclasses import dataclass
from pathlib import Path

import typer

APP_NAME = "portal"
DEFAULT_URL = "http://127.0.0.1:8000"


@dataclass(frozen=True)
class Settings:
    url: str
    token: str | None
    url_from: str  # "environment", "config" or "default": said by `whoami` and in auth errors
    token_from: str | None


def config_dir() -> Path:
    return Path(typer.get_app_dir(APP_NAME))


def config_path() -> Path:
    return config_dir() / "config.json"


def load() -> dict:
    """What ``portal login`` stored ({} when nothing is, or the file is unreadable)."""
    try:
        data = json.loads(config_path().read_text())
    except (OSError, ValueError):
        return {}
    return data if isinstance(data, dict) else {}


def save(*, url: str, token: str) -> Path:
    """Store the URL and token: the directory 0700, the file written atomically with mode 0600 (never
    readable by others, not even for a moment)."""
    data = {**load(), "url": normalise_url(url), "token": token}
    save_raw(data)
    return config_path()


def forget_token() -> bool:
    """Remove the stored token (the URL stays for the next login). True if there was one."""
    data = load()
    if "token" not in data:
        return False
    del data["token"]
    if data:
        save_raw(data)
    else:
        config_path().unlink(missing_ok=True)
    return True


def save_raw(data: dict) -> None:
    directory = config_dir()
    directory.mkdir(mode=0o700, parents=True, exist_ok=True)
    directory.chmod(0o700)
    fd, temporary = tempfile.mkstemp(prefix=".config-", dir=directory)  # mkstemp creates it 0600
    try:
        with os.fdopen(fd, "w") as handle:
            os.fchmod(handle.fileno(), 0o600)
            json.dump(data, handle, indent=2)
            handle.write("\n")
        os.replace(temporary, config_path())
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise


def normalise_url(url: str) -> str:
    url = url.strip().rstrip("/")
    if not url.startswith(("http://", "https://")):
        url = "https://" + url
    return url


def resolve(url: str | None = None) -> Settings:
    """The URL and token to use: an explicit ``url``, else the environment, else the stored config."""
    stored = load()
    if url:
        url_value, url_from = url, "option"
    elif os.environ.get("PORTAL_URL"):
        url_value, url_from = os.environ["PORTAL_URL"], "environment"
    elif stored.get("url"):
        url_value, url_from = stored["url"], "config"
    else:
        url_value, url_from = DEFAULT_URL, "default"
    if os.environ.get("PORTAL_TOKEN"):
        token, token_from = os.environ["PORTAL_TOKEN"], "environment"
    elif stored.get("token"):
        token, token_from = stored["token"], "config"
    else:
        token, token_from = None, None
    return Settings(url=normalise_url(url_value), token=token, url_from=url_from, token_from=token_from)
