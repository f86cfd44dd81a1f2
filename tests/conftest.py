"""Fixture plugins shared by the whole suite (pytest only honours pytest_plugins here)."""

pytest_plugins = ["tests.fixtures.sandbox", "tests.fixtures.worker", "tests.fixtures.people", "tests.fixtures.runs"]
