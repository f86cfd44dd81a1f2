"""The migration pages: the dashboard's charts, entering a product, pilots, the playbook, the demo seed."""

import re

from portal.migration.models import DataProduct, R, Triage, Wave


def test_the_demo_team_has_a_dozen_products_across_all_six_rs(portfolio):
    products = DataProduct.objects.filter(team__slug="risk-analytics")
    assert products.count() == 12
    rs = {product.r or Triage.objects.filter(product=product).values_list("proposed_r", flat=True).first()
          for product in products}
    assert set(R.values) <= rs


def test_the_dashboard_draws_products_by_r_wave_and_status_burn_up_and_validation(client, portfolio):
    client.force_login(portfolio.people["risk-lead"])
    page = client.get("/migrations/").content.decode()
    bars = dict(re.findall(r'<g class="bar" data-label="([^"]+)" data-value="(\d+)"', page))
    assert bars["Refactor"] == "2" and bars["Retire"] == "2" and bars["Retain"] == "1"
    assert bars["Pilot"] == "5" and bars["Wave 1"] == "3" and bars["Parallel run"] == "1" and bars["Passed"] == "4"
    assert 'id="burn-up"' in page and "done 3 of 12 in scope" in page
    assert page.count("<svg") >= 5 and "cdn" not in page.lower()


def test_entering_a_product_by_form(client, migration):
    client.force_login(migration.people["requester"])
    response = client.post("/migrations/teams/churn-modelling/products/new/", {
        "name": "uplift", "kind": "ab_test", "owner": "x@example.org", "current_platform": "SAS", "languages": "SAS, R",
        "cadence": "monthly", "data_sources": "crm:confidential\nweb:public", "criticality": "low",
        "complexity": "low", "in_use": "on", "cores": 2, "memory_gb": 8, "gpus": 0, "hours_per_week": 3})
    product = DataProduct.objects.get(name="uplift")
    assert response.url == f"/migrations/products/{product.pk}/"
    assert product.languages == ["SAS", "R"] and product.data_classification == "confidential"
    bad = client.post("/migrations/teams/churn-modelling/products/new/", {"name": "uplift", "kind": "x"})
    assert bad.status_code == 400 and "Select a valid choice" in bad.content.decode()


def test_pilots_are_chosen_explained_and_put_in_the_pilot_wave(client, portfolio):
    client.force_login(portfolio.people["approver"])
    page = client.get("/migrations/plan/?count=3").content.decode()
    assert "the most any 3 products can cover" in page
    picked = re.findall(r'data-pilot="([^"]+)"', page)
    assert len(picked) == 3
    assert re.search(r'data-dimension="team">.*?Left uncovered|data-dimension="team"', page)
    ids = re.findall(r'name="products" value="(\d+)"', page)
    wave = Wave.objects.get(name="Wave 2")
    Wave.objects.filter(pk=wave.pk).update(is_pilot=True)
    client.post("/migrations/plan/pilots/", {"wave": wave.pk, "products": ids})
    assert set(DataProduct.objects.filter(wave=wave).values_list("name", flat=True)) >= set(picked)


def test_the_playbook_is_searchable_and_shown_on_similar_products(client, portfolio):
    client.force_login(portfolio.people["risk-lead"])
    page = client.get("/migrations/playbook/?q=PROC+FORMAT").content.decode()
    assert "SAS formats: map them before the first parallel run" in page and "Notebook kernels" not in page
    lgd = DataProduct.objects.get(name="lgd-model")  # refactor, SAS, a model: like pd-scorecard
    assert "SAS formats: map them" in client.get(f"/migrations/products/{lgd.pk}/").content.decode()


def test_seed_demo_is_idempotent(portfolio):
    from django.core.management import call_command

    call_command("seed_demo")
    call_command("seed_demo")
    assert DataProduct.objects.filter(team__slug="risk-analytics").count() == 12


def test_the_team_puts_its_product_in_a_wave(client, portfolio):
    client.force_login(portfolio.people["risk-lead"])
    product = DataProduct.objects.get(name="stress-test-sim")
    wave = Wave.objects.get(name="Wave 2")
    page = client.post(f"/migrations/products/{product.pk}/wave/", {"wave": wave.pk}, follow=True).content.decode()
    assert "stress-test-sim is in Wave 2." in page
    product.refresh_from_db()
    assert product.wave == wave


def test_a_lesson_is_filed_under_the_products_r_and_found_in_the_playbook(client, portfolio):
    client.force_login(portfolio.people["risk-lead"])
    product = DataProduct.objects.get(name="fraud-features")
    client.post(f"/migrations/products/{product.pk}/lessons/", {
        "title": "Shuffle partitions", "body": "Set spark.sql.shuffle.partitions from the data size."})
    page = client.get("/migrations/playbook/?r=replatform").content.decode()
    assert "Shuffle partitions" in page and "SAS formats" not in page
    untriaged = DataProduct.objects.get(name="stress-test-sim")
    page = client.post(f"/migrations/products/{untriaged.pk}/lessons/", {"title": "x", "body": "y"},
                       follow=True).content.decode()
    assert "Triage stress-test-sim first" in page
