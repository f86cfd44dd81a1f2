"""Comparing a migrated product's outputs with the original's within declared tolerances; two passing
cycles validate it and let the team retire the original."""

from datetime import timedelta

import pytest
from django.utils import timezone

from portal.core.errors import ApplicationError
from portal.migration.comparison import Tolerances, compare, read_output
from portal.migration.models import DataProduct, ParallelRun

OLD = b"id,score,label\n1,0.10,churn\n2,0.20,stay\n3,0.30,stay\n4,0.40,churn\n"


def checks(new: bytes, old: bytes = OLD, **tolerances) -> dict:
    result = compare(read_output(old, which="original"), read_output(new, which="migrated"), Tolerances(**tolerances))
    return {check.check: check for check in result}


def test_identical_outputs_pass_every_check():
    result = checks(OLD, key_column="id")
    assert all(check.passed for check in result.values())
    assert set(result) == {"row count", "numeric difference", "label agreement"}


def test_numbers_within_the_tolerance_pass_and_beyond_it_fail():
    new = b"id,score,label\n1,0.1004,churn\n2,0.20,stay\n3,0.30,stay\n4,0.40,churn\n"
    assert checks(new, key_column="id", max_numeric_difference=0.001)["numeric difference"].passed
    failed = checks(new, key_column="id", max_numeric_difference=0.0001)["numeric difference"]
    assert not failed.passed and "(in score)" in failed.measured


def test_label_agreement_is_measured_against_the_declared_share():
    new = b"id,score,label\n1,0.10,stay\n2,0.20,stay\n3,0.30,stay\n4,0.40,churn\n"  # 3 of 4 agree
    assert checks(new, key_column="id", min_label_agreement_pct=75)["label agreement"].passed
    failed = checks(new, key_column="id", min_label_agreement_pct=80)["label agreement"]
    assert not failed.passed and failed.measured == "75.00%"


def test_row_counts_and_unmatched_keys_against_the_row_tolerance():
    new = b"id,score,label\n1,0.10,churn\n2,0.20,stay\n3,0.30,stay\n"
    result = checks(new, key_column="id", max_row_count_difference_pct=10, min_label_agreement_pct=50)
    assert not result["row count"].passed and result["row count"].measured == "4 → 3 (25.00%)"
    assert not result["unmatched keys"].passed
    assert checks(new, key_column="id", max_row_count_difference_pct=25, min_label_agreement_pct=50)[
        "row count"].passed


def test_a_missing_key_column_or_output_column_fails():
    assert not checks(b"score,label\n0.1,churn\n", key_column="id")["key column"].passed
    assert not checks(b"id,score\n1,0.10\n2,0.20\n3,0.30\n4,0.40\n", key_column="id")["columns"].passed


@pytest.fixture
def running(make_product, migration):
    product = make_product(cadence="weekly")
    DataProduct.objects.filter(pk=product.pk).update(status=DataProduct.Status.PARALLEL_RUN, r="rehost")
    ParallelRun.objects.create(product=product, started_on=timezone.localdate(), key_column="id",
                               max_numeric_difference=0.001, min_label_agreement_pct=100)
    product.refresh_from_db()
    return product


def post_cycle(client, product, old, new):
    from django.core.files.uploadedfile import SimpleUploadedFile

    return client.post(f"/migrations/products/{product.pk}/cycles/", {
        "old_output": SimpleUploadedFile("old.csv", old), "new_output": SimpleUploadedFile("new.csv", new)},
        follow=True)


def test_two_passing_cycles_validate_the_product_then_the_original_is_retired(client, running, migration):
    client.force_login(migration.people["requester"])
    page = post_cycle(client, running, OLD, b"id,score,label\n1,0.5,churn\n2,0.2,stay\n3,0.3,stay\n4,0.4,churn\n")
    text = page.content.decode()
    assert "Cycle 1 failed: numeric difference." in text and "0 of 2" in text
    post_cycle(client, running, OLD, OLD)
    running.refresh_from_db()
    assert running.status == DataProduct.Status.PARALLEL_RUN  # one passing cycle is not enough
    text = post_cycle(client, running, OLD, OLD).content.decode()
    running.refresh_from_db()
    assert running.status == DataProduct.Status.VALIDATED and "2 of 2" in text and "Retire the original" in text
    cycles = list(running.parallel_run.cycles.order_by("number"))
    start = running.parallel_run.started_on
    assert [c.due_on for c in cycles] == [start + timedelta(days=7 * n) for n in (1, 2, 3)]  # weekly cadence
    assert [c.passed for c in cycles] == [False, True, True]
    client.post(f"/migrations/products/{running.pk}/retire-original/")
    running.refresh_from_db()
    assert running.status == DataProduct.Status.MIGRATED and running.completed_at is not None


def test_an_unreadable_output_is_refused_and_nothing_recorded(client, running, migration):
    client.force_login(migration.people["requester"])
    text = post_cycle(client, running, OLD, b"\xff\xfe").content.decode()
    assert "The migrated output is not UTF-8 CSV text." in text
    assert not running.parallel_run.cycles.exists()


def test_tolerances_are_fixed_once_a_cycle_is_recorded(running, migration):
    from portal.migration.services import record_cycle, set_tolerances

    person = migration.people["requester"]
    set_tolerances(actor=person, product=running, key_column="id", max_row_count_difference_pct=5,
                   max_numeric_difference=0.01, min_label_agreement_pct=90)
    record_cycle(actor=person, product=running, old_output=OLD, new_output=OLD)
    with pytest.raises(ApplicationError, match="before the first cycle"):
        set_tolerances(actor=person, product=running, key_column="id", max_row_count_difference_pct=50,
                       max_numeric_difference=1, min_label_agreement_pct=0)
