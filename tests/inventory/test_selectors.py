from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

from portal.inventory.selectors import expiring_soon, version_number

NOW = datetime(2026, 11, 23, tzinfo=UTC)


def test_expiring_soon_lists_what_ends_within_two_weeks_soonest_first():
    resources = [SimpleNamespace(name=n, expires_at=at) for n, at in [
        ("late", NOW + timedelta(days=30)), ("soon", NOW + timedelta(days=3)), ("none", None),
        ("sooner", NOW + timedelta(hours=5))]] + [SimpleNamespace(name="no field")]
    assert [r.name for r in expiring_soon(resources, now=NOW)] == ["sooner", "soon"]


def test_version_numbers_of_scaffold_tags():
    assert [version_number(t) for t in ("v3", "12", "v", None, "main", "v2.1")] == [3, 12, None, None, None, None]
