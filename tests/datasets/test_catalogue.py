"""The catalogue and a dataset's page: restricted datasets of other teams show only name and owner — in
the selector's rows, in search results and in the page."""

from __future__ import annotations

import pytest
from django.urls import reverse

from portal.datasets.selectors import catalogue, entry_for

pytestmark = pytest.mark.django_db


def names(rows):
    return [entry.name for entry in rows[0:len(rows)]]


def test_the_selector_hides_restricted_details_from_other_teams(ds):
    outsider_view = {e.name: e for e in catalogue(ds.outsider)[0:10]}
    assert set(outsider_view) == {"churn-features", "customer-contacts"}
    hidden = outsider_view["customer-contacts"]
    assert hidden.limited and (hidden.bucket, hidden.prefix, hidden.description, hidden.schema_notes) == ("",) * 4
    assert hidden.data_owner == ds.member
    assert not outsider_view["churn-features"].limited  # internal: details for everyone
    for insider in (ds.member, ds.lead, ds.admin):
        assert not entry_for(insider, ds.restricted).limited
        assert entry_for(insider, ds.restricted).description.startswith("Names")


def test_search_does_not_reveal_restricted_text(ds):
    assert names(catalogue(ds.outsider, query="call notes")) == []  # only in the restricted description
    assert names(catalogue(ds.member, query="call notes")) == ["customer-contacts"]
    assert names(catalogue(ds.outsider, query="contacts")) == ["customer-contacts"]  # the name is public
    assert names(catalogue(ds.outsider, classification="internal")) == ["churn-features"]


def test_the_catalogue_page(client, ds):
    client.force_login(ds.outsider)
    page = client.get(reverse("datasets:catalogue"))
    assert page.status_code == 200
    text = page.content.decode()
    assert "customer-contacts" in text and "Monthly churn features" in text
    assert "call notes" not in text and "contacts/" not in text
    assert "Register a dataset" not in text  # not a lead of any team
    client.force_login(ds.lead)
    assert "Register a dataset" in client.get(reverse("datasets:catalogue")).content.decode()


def test_the_catalogue_is_paginated_and_forgiving(client, ds):
    client.force_login(ds.outsider)
    for page in ("2", "x", "-1", "99999999999999999999"):
        assert client.get(reverse("datasets:catalogue"), {"page": page, "q": "c" * 500}).status_code == 200


def test_a_restricted_dataset_page(client, ds):
    url = reverse("datasets:dataset", args=[ds.restricted.pk])
    client.force_login(ds.outsider)
    refused = client.get(url)
    assert refused.status_code == 403
    text = refused.content.decode()
    assert "customer-contacts" in text and str(ds.member) in text
    assert "call notes" not in text and "secret-schema" not in text and "demo-churn-data" not in text
    client.force_login(ds.member)
    shown = client.get(url)
    assert shown.status_code == 200 and "secret-schema" in shown.content.decode()
    assert client.get(reverse("datasets:dataset", args=[999999])).status_code == 404


def test_the_register_form_answers_bad_input_with_field_errors(client, ds):
    url = reverse("datasets:register", args=[ds.churn.slug])
    client.force_login(ds.lead)
    assert client.get(url).status_code == 200
    bad = client.post(url, {"name": "Not A Slug!", "prefix": "../x", "data_owner": ds.outsider.pk,
                            "classification": "secret", "retention_days": "-5", "retention_action": "delete"})
    assert bad.status_code == 400
    errors = bad.context["form"].errors
    assert {"name", "data_owner", "classification", "retention_days", "bucket_resource"} <= set(errors)
    client.force_login(ds.admin)
    made = client.post(url, {"name": "legacy", "bucket": "legacy-bucket", "prefix": "../x",
                             "data_owner": ds.member.pk, "classification": "internal", "retention_days": "0",
                             "retention_action": "delete"})
    assert made.status_code == 400 and "prefix" in made.context["form"].errors  # the service's refusal, on its field
    made = client.post(url, {"name": "legacy", "bucket": "legacy-bucket", "prefix": "raw",
                             "data_owner": ds.member.pk, "classification": "internal", "retention_days": "0",
                             "retention_action": "delete"})
    assert made.status_code == 302


def test_who_opens_the_register_form(client, ds):
    url = reverse("datasets:register", args=[ds.churn.slug])
    for user, status in ((ds.outsider, 404), (ds.member, 403), (ds.lead, 200), (ds.admin, 200)):
        client.force_login(user)
        assert client.get(url).status_code == status, user


def test_the_demo_seeds_datasets_with_owners(demo):
    from portal.datasets.seed import DEMO_DATASETS, ensure_demo_datasets
    from portal.migration.seed import ensure_demo_migration

    ensure_demo_migration(demo.teams)
    made = ensure_demo_datasets()
    assert len(made) == len(DEMO_DATASETS) and ensure_demo_datasets() == made  # idempotent
    assert {d.classification for d in made} == {"public", "internal", "confidential", "restricted"}
    assert all(d.team.memberships.filter(user=d.data_owner).exists() for d in made)
