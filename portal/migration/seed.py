"""The migration app's starting data: the decision tree v1, the environment mappings, and a demo team
("Risk analytics") with a dozen products across all six Rs, waves, a parallel run and lessons."""

from __future__ import annotations

from datetime import timedelta

from django.utils import timezone

from portal.catalog.models import Bundle, ResourceTemplate
from portal.teams.models import Membership, Team

from .decision_tree import DEFAULT_TREE, walk
from .models import (
    DataProduct,
    DecisionTree,
    Decommission,
    EnvironmentMapping,
    Lesson,
    ParallelRun,
    R,
    Triage,
    ValidationCycle,
    Wave,
)

# r, product kind ("" any), for GPU products, template slug or None, bundle slug or None
MAPPINGS = [
    (R.REHOST, "", False, "cpu-vm", None),
    (R.REHOST, "", True, "gpu-vm", None),
    (R.REPLATFORM, "", False, "eks-cluster", None),
    (R.REPLATFORM, "notebook", False, "cpu-vm", None),
    (R.REPLATFORM, "notebook", True, "gpu-vm", None),
    (R.REFACTOR, "", False, None, "ml-starter"),
    (R.REBUILD, "", False, None, "ml-starter"),
    (R.REBUILD, "", True, None, "gpu-training"),
]
DEMO_TEAM = ("risk-analytics", "Risk analytics")
DEMO_LOGIN = ("risk-lead", "risk-demo")
S = DataProduct.Status
# name, kind, platform, languages, cadence, sources, criticality, regulation, complexity, in_use, alternative,
# (cores, memory, gpus, hours), status, wave index (None: none), days ago entered, days ago done
DEMO_PRODUCTS = [
    ("pd-scorecard", "model", "SAS Grid", ["SAS"], "monthly", [("loans.applications", "confidential")], "high",
     "Model risk (SR 11-7)", "high", True, False, (8, 64, 0, 20), S.MIGRATING, 0, 80, None),
    ("lgd-model", "model", "SAS Grid", ["SAS", "R"], "quarterly", [("loans.recoveries", "confidential")], "high",
     "", "medium", True, False, (4, 32, 0, 6), S.TRIAGED, 1, 80, None),
    ("fraud-features", "pipeline", "On-prem Hadoop", ["PySpark"], "daily", [("cards.transactions", "restricted")],
     "high", "", "high", True, False, (32, 256, 0, 70), S.PARALLEL_RUN, 0, 78, None),
    ("aml-alerts-etl", "pipeline", "On-prem Hadoop", ["PySpark", "Scala"], "daily",
     [("payments.wire", "confidential")], "medium", "", "medium", True, False, (16, 128, 0, 50), S.TRIAGED, 1, 75,
     None),
    ("collections-nb", "notebook", "JupyterHub on VM", ["Python"], "weekly", [("loans.arrears", "internal")], "low",
     "", "low", True, False, (4, 16, 0, 8), S.MIGRATED, 0, 84, 20),
    ("churn-dashboard", "dashboard", "Tableau Server", ["Python"], "daily", [("crm.customers", "internal")],
     "medium", "", "low", True, False, (2, 8, 0, 40), S.VALIDATED, 0, 70, None),
    ("image-fraud-cnn", "model", "GPU workstation", ["Python", "PyTorch"], "daily",
     [("claims.photos", "confidential")], "high", "", "high", True, False, (16, 64, 2, 30), S.IN_REVIEW, None, 40,
     None),
    ("vendor-sanctions", "table", "Oracle", ["SQL"], "daily", [("sanctions.lists", "internal")], "medium", "",
     "low", True, True, (2, 8, 0, 5), S.TRIAGED, 2, 60, None),
    ("old-campaign-uplift", "ab_test", "SAS Grid", ["SAS"], "ad_hoc", [("marketing.campaigns", "internal")], "low",
     "", "low", False, False, (2, 8, 0, 1), S.RETIRED, 0, 84, 35),
    ("legacy-bi-extract", "table", "Mainframe", ["COBOL"], "monthly", [("core.ledger", "internal")], "low", "",
     "medium", False, False, (2, 4, 0, 2), S.MIGRATING, 1, 50, None),
    ("basel-capital", "model", "SAS Grid", ["SAS"], "quarterly", [("finance.exposures", "restricted")], "high",
     "Basel III; the regulator must approve a platform change", "high", True, False, (16, 128, 0, 12), S.RETAINED,
     None, 84, 28),
    ("stress-test-sim", "model", "HPC cluster", ["Python"], "quarterly", [("finance.scenarios", "restricted")],
     "high", "ECB stress test", "high", True, False, (64, 512, 0, 40), S.CATALOGUED, None, 10, None),
]


def ensure_decision_tree() -> DecisionTree:
    tree = DecisionTree.objects.filter(status=DecisionTree.Status.PUBLISHED).order_by("-number").first()
    if tree is None and not DecisionTree.objects.exists():
        tree = DecisionTree.objects.create(number=1, definition=DEFAULT_TREE, note="The starting tree.",
                                           status=DecisionTree.Status.PUBLISHED, published_at=timezone.now())
    return tree


def ensure_environment_mappings() -> list[EnvironmentMapping]:
    mappings = []
    for r, kind, gpus, template, bundle in MAPPINGS:
        target = ({"template": ResourceTemplate.objects.filter(slug=template).first()} if template
                  else {"bundle": Bundle.objects.filter(slug=bundle).first()})
        if None in target.values():
            continue  # the catalog lacks it (an admin removed it): no mapping rather than a broken one
        mappings.append(EnvironmentMapping.objects.get_or_create(r=r, product_kind=kind, for_gpus=gpus,
                                                                 defaults=target)[0])
    return mappings


def ensure_demo_migration(teams: dict[str, Team]) -> list[tuple[str, str]]:
    """The demo team and its portfolio (once); returns the demo login."""
    from django.contrib.auth import get_user_model

    tree = ensure_decision_tree()
    ensure_environment_mappings()
    slug, name = DEMO_TEAM
    team, _ = Team.objects.get_or_create(slug=slug, defaults={"name": name, "kind": Team.Kind.MODELLING})
    teams[slug] = team
    username, password = DEMO_LOGIN
    user, created = get_user_model().objects.get_or_create(username=username,
                                                           defaults={"email": f"{username}@example.org"})
    if created:
        user.set_password(password)
        user.save(update_fields=["password"])
    Membership.objects.get_or_create(team=team, user=user, defaults={"role": Membership.Role.LEAD})
    if not DataProduct.objects.filter(team=team).exists():
        _demo_portfolio(team, user, tree)
    return [(username, password if created or user.check_password(password) else "(changed)")]


def _demo_portfolio(team: Team, user, tree: DecisionTree) -> None:
    from .selectors import facts_of
    from .services.validation import due_on

    today, now = timezone.localdate(), timezone.now()
    waves = [Wave.objects.get_or_create(name=wave_name, defaults={
        "starts_on": today + timedelta(days=start), "ends_on": today + timedelta(days=end), "is_pilot": pilot})[0]
        for wave_name, start, end, pilot in (("Pilot", -60, 10, True), ("Wave 1", 11, 60, False),
                                             ("Wave 2", 61, 120, False))]
    for (name, kind, platform, languages, cadence, sources, criticality, regulation, complexity, in_use, alternative,
         (cores, memory, gpus, hours), status, wave, entered, done) in DEMO_PRODUCTS:
        product = DataProduct.objects.create(
            team=team, name=name, kind=kind, owner=f"{name.split('-')[0]}-owner@example.org", current_platform=platform,
            languages=languages, cadence=cadence, data_sources=[{"name": n, "classification": c} for n, c in sources],
            criticality=criticality, regulatory_constraints=regulation, complexity=complexity, in_use=in_use,
            commercial_alternative=alternative, cores=cores, memory_gb=memory, gpus=gpus, hours_per_week=hours,
            wave=waves[wave] if wave is not None else None)
        answer = walk(tree.definition, facts_of(product))
        fields = {"status": status, "completed_at": now - timedelta(days=done) if done is not None else None}
        if status != S.CATALOGUED:
            approved = status not in (S.IN_REVIEW,)
            Triage.objects.create(product=product, tree=tree, proposed_r=answer.r, reasons=answer.reasons,
                                  chosen_r=answer.r, confirmed_by=user,
                                  status=Triage.Status.APPROVED if approved else Triage.Status.IN_REVIEW)
            fields["r"] = answer.r if approved else ""
        if status == S.RETAINED:
            fields["revisit_on"] = today + timedelta(days=90)
        DataProduct.objects.filter(pk=product.pk).update(**fields)
        DataProduct.objects.filter(pk=product.pk).update(created_at=now - timedelta(days=entered))
        if status == S.MIGRATING and answer.r == R.RETIRE:
            Decommission.objects.create(product=product)
        if status == S.RETIRED:
            Decommission.objects.create(product=product, status=Decommission.Status.DONE, owner_signed_off_by=user,
                                        owner_signed_off_at=now - timedelta(days=done), retention="archive",
                                        retain_until=today + timedelta(days=365 * 7), consumers_notified=True)
        if status in (S.PARALLEL_RUN, S.VALIDATED, S.MIGRATED):
            run = ParallelRun.objects.create(product=product, started_on=today - timedelta(days=30),
                                             max_row_count_difference_pct=1, max_numeric_difference=0.001,
                                             min_label_agreement_pct=99)
            results = {S.PARALLEL_RUN: [False], S.VALIDATED: [True, True], S.MIGRATED: [True, False, True]}[status]
            for number, passed in enumerate(results, start=1):
                ValidationCycle.objects.create(
                    parallel_run=run, number=number, due_on=due_on(run, number), passed=passed,
                    checks=[{"check": "row count", "measured": "1000 → 1000 (0.00%)", "limit": "≤ 1%", "passed": True,
                             "detail": ""},
                            {"check": "numeric difference", "measured": "0.0004" if passed else "0.12",
                             "limit": "≤ 0.001", "passed": passed, "detail": "1 numeric column: score"}],
                    old_rows=1000, new_rows=1000, old_sha256="0" * 64, new_sha256="1" * 64, recorded_by=user)
    Lesson.objects.get_or_create(title="SAS formats: map them before the first parallel run", defaults={
        "r": R.REFACTOR, "product_kind": "model", "languages": ["sas"], "author": user,
        "product": DataProduct.objects.get(team=team, name="pd-scorecard"),
        "body": "PROC FORMAT tables hid business rules; export them to a lookup table first, or the Python "
                "scores drift in the first cycle."})
    Lesson.objects.get_or_create(title="Notebook kernels: pin the packages of the on-prem environment", defaults={
        "r": R.REHOST, "product_kind": "notebook", "languages": ["python"], "author": user,
        "product": DataProduct.objects.get(team=team, name="collections-nb"),
        "body": "pip freeze on the old JupyterHub and install the same versions on the VM; two of three "
                "validation differences came from a newer pandas."})
