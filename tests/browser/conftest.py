"""Playwright driving Debian's Chromium against live_server, with a real worker and the sandbox."""

import os
import shutil
from pathlib import Path

import pytest

os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")  # live_server + Playwright's sync API

SCREENSHOTS = Path(os.environ.get("PORTAL_SCREENSHOTS_DIR",
                                  Path(__file__).resolve().parents[2] / "test-artifacts" / "screenshots"))


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    chromium = shutil.which("chromium")
    if chromium is None:
        pytest.fail("Debian's chromium is not installed (scripts/test installs it)")
    return {
        **browser_type_launch_args,
        "executable_path": chromium,
        "args": ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"],
    }


# Reports every Content-Security-Policy violation of a page to Python (a binding is not subject to the CSP).
_REPORT_VIOLATIONS = """
document.addEventListener("securitypolicyviolation", (event) => {
  window.__portalCspViolation({directive: event.effectiveDirective, blocked: event.blockedURI,
                               page: event.documentURI, source: event.sourceFile, line: event.lineNumber,
                               sample: event.sample});
});
"""


@pytest.fixture
def context(context):
    """Every page of a browser test reports CSP violations (and the console's CSP errors); a test
    during which the portal broke its own policy fails at teardown, naming what was refused.
    ``context.csp_violations`` is the list, for a test that wants to look at it."""
    violations: list[dict] = []
    context.csp_violations = violations
    context.expose_binding("__portalCspViolation", lambda source, violation: violations.append(violation))
    context.add_init_script(_REPORT_VIOLATIONS)
    context.on("console", lambda message: violations.append({"console": message.text})
               if "Content Security Policy" in message.text else None)
    yield context
    assert not violations, "the page broke the Content-Security-Policy:\n" + "\n".join(map(str, violations))


@pytest.fixture
def screenshot():
    """``screenshot(page, "name")`` saves a full-page PNG into the artifacts folder."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)

    def take(page, name: str) -> Path:
        path = SCREENSHOTS / f"{name}.png"
        page.screenshot(path=str(path), full_page=True)
        return path

    return take


@pytest.fixture
def login(live_server):
    def do(page, username: str, password: str) -> None:
        page.goto(f"{live_server.url}/login/")
        page.get_by_label("Username").fill(username)
        page.get_by_label("Password").fill(password)
        page.get_by_role("button", name="Log in").click()
        page.wait_for_url(lambda url: "/login/" not in url)

    return do
