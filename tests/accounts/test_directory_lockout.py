"""Directory (LDAP) logins go through django-axes like local ones (real slapd)."""

from django.contrib.auth import get_user_model

from portal.audit.models import AuditEvent
from tests.fixtures.directory_tree import LDAP_TREE

WRONG = "not-the-password-%d"


def test_a_directory_login_is_throttled_and_audited_too(directory_login, log_in, db):
    """The directory (LDAP) backend sits behind axes' backend: its failures count, its lockout holds."""
    password = LDAP_TREE.person("alice").password
    for attempt in range(4):
        assert log_in("alice", WRONG % attempt).status_code == 200
    assert log_in("alice", WRONG % 5).status_code == 429
    assert AuditEvent.objects.filter(verb="login.failed", data__username="alice").count() == 5
    response = log_in("alice", password)
    assert response.status_code == 429 and "Too many failed logins" in response.text
    assert not get_user_model().objects.filter(username="alice", last_login__isnull=False).exists()
