"""Fixture plugins shared by the whole suite (pytest only honours pytest_plugins here)."""

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker", "tests.fixtures.people", "tests.fixtures.runs",
                  "tests.fixtures.api", "tests.fixtures.cli"]


def pytest_collection_modifyitems(config, items):
    """With pytest-xdist (``--dist loadgroup``): the Terraform module tests stay on one process (their
    background jobs are started from every collected one), and each end-to-end or browser test file stays
    on one process (its module fixtures are set up once)."""
    import pytest

    for item in items:
        path = item.nodeid.split("::", 1)[0]
        if path.startswith("tests/terraform/"):
            item.add_marker(pytest.mark.xdist_group("terraform"))
        elif path.startswith(("tests/e2e/", "tests/browser/")):
            item.add_marker(pytest.mark.xdist_group(path))
