"""Fixture plugins shared by the whole suite (pytest only honours pytest_plugins here)."""

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker", "tests.fixtures.people", "tests.fixtures.runs",
                  "tests.fixtures.api", "tests.fixtures.cli", "tests.fixtures.oidc_provider"]


import pytest  # noqa: E402


@pytest.hookimpl(tryfirst=True)  # before pytest-xdist reads the marks (it names each test's group then)
def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``--dist loadgroup``): the Terraform module tests stay on one process (their
    background jobs are started from every collected one), and each end-to-end or browser test file stays
    on one process (its module fixtures are set up once)."""
    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith("tests/terraform/"):
            item.add_marker(pytest.mark.xdist_group("terraform"))
        elif path.startswith(("tests/e2e/", "tests/browser/")):
            item.add_marker(pytest.mark.xdist_group(path))


def pytest_collection_finish(session):
    """Fail loudly if pytest-xdist ignored the groups (it did, silently, under pytest 9: every process then
    ran every Terraform module job, and the suite took twice as long)."""
    if not getattr(session.config.option, "loadgroup", False):
        return
    ignored = [item.nodeid for item in session.items
               if item.get_closest_marker("xdist_group") and "@" not in item.nodeid]
    if ignored:
        raise pytest.UsageError(f"pytest-xdist ignored the test groups (e.g. {ignored[0]}); check the versions of "
                                "pytest and pytest-xdist")
