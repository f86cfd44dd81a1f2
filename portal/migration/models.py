"""Moving what teams run on premises to the cloud: their data products, each product's triage into
one of the six Rs (proposed by an admin-edited decision tree, confirmed by the team, reviewed by MLOps
enablement through the approval engine), waves, the playbook, and the parallel run that validates a
migrated product before its original is retired."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models

from portal.core.models import TimeStampedModel


class R(models.TextChoices):
    """The six Rs of a migration."""

    REHOST = "rehost", "Rehost"  # lift and shift onto a cloud machine
    REPLATFORM = "replatform", "Replatform"  # small changes to use a managed platform (cluster, notebooks)
    REFACTOR = "refactor", "Refactor"  # rewrite parts of the code (SAS → Python) to run in the cloud
    REBUILD = "rebuild", "Rebuild / repurchase"  # rebuild from scratch, or buy a product that does it
    RETIRE = "retire", "Retire"  # nobody needs it: decommission it
    RETAIN = "retain", "Retain"  # stays where it is for now; revisited later


ENVIRONMENT_RS = (R.REHOST, R.REPLATFORM, R.REFACTOR, R.REBUILD)  # these get an environment in the cloud


class ProductKind(models.TextChoices):
    MODEL = "model", "ML model"
    NOTEBOOK = "notebook", "Notebook"
    PIPELINE = "pipeline", "Pipeline"
    DASHBOARD = "dashboard", "Dashboard"
    TABLE = "table", "Table"
    AB_TEST = "ab_test", "A/B-test support"


class Cadence(models.TextChoices):
    HOURLY = "hourly", "Hourly"
    DAILY = "daily", "Daily"
    WEEKLY = "weekly", "Weekly"
    MONTHLY = "monthly", "Monthly"
    QUARTERLY = "quarterly", "Quarterly"
    AD_HOC = "ad_hoc", "Ad hoc"


# Days between two runs: when the next inference cycle of a parallel run is due (ad hoc: a week).
CADENCE_DAYS = {Cadence.HOURLY: 1, Cadence.DAILY: 1, Cadence.WEEKLY: 7, Cadence.MONTHLY: 30,
                Cadence.QUARTERLY: 91, Cadence.AD_HOC: 7}


class Level(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"


CLASSIFICATIONS = ("public", "internal", "confidential", "restricted")  # as onboarding's, lowest first


class Wave(TimeStampedModel):
    """A batch of migrations with dates; the pilot wave comes first."""

    name = models.CharField(max_length=100, unique=True)
    starts_on = models.DateField()
    ends_on = models.DateField()
    is_pilot = models.BooleanField(default=False, help_text="The pilot migrations (mobilise phase).")

    class Meta:
        ordering = ["starts_on", "name"]
        constraints = [models.CheckConstraint(condition=models.Q(ends_on__gte=models.F("starts_on")),
                                              name="wave_ends_after_start")]

    def __str__(self) -> str:
        return self.name


class DataProduct(TimeStampedModel):
    """One thing a team runs on premises that may move to the cloud."""

    class Status(models.TextChoices):
        CATALOGUED = "catalogued", "Catalogued"  # entered; not triaged yet (or sent back)
        IN_REVIEW = "in_review", "Triage in review"  # the team chose an R; MLOps enablement reviews it
        TRIAGED = "triaged", "Triaged"  # the R is approved; next: environment, decommission or revisit date
        MIGRATING = "migrating", "Migrating"  # an environment is being requested (or the decommission checklist runs)
        PARALLEL_RUN = "parallel_run", "Parallel run"  # the migrated product runs beside the original
        VALIDATED = "validated", "Validated"  # two inference cycles passed: the original may be retired
        MIGRATED = "migrated", "Migrated"  # final: the original is retired
        RETIRED = "retired", "Retired"  # final: decommissioned (the retire R)
        RETAINED = "retained", "Retained"  # stays on premises until its revisit date

    TRANSITIONS: dict[str, set[str]] = {
        Status.CATALOGUED: {Status.IN_REVIEW},
        Status.IN_REVIEW: {Status.TRIAGED, Status.CATALOGUED},  # catalogued: sent back or rejected
        Status.TRIAGED: {Status.MIGRATING, Status.RETAINED, Status.CATALOGUED},  # catalogued: triaged again
        Status.MIGRATING: {Status.PARALLEL_RUN, Status.RETIRED, Status.TRIAGED},  # triaged: request given up
        Status.PARALLEL_RUN: {Status.VALIDATED},
        Status.VALIDATED: {Status.MIGRATED},
        Status.RETAINED: {Status.CATALOGUED},  # revisited: triaged again
        Status.MIGRATED: set(),
        Status.RETIRED: set(),
    }
    DONE_STATES = (Status.MIGRATED, Status.RETIRED, Status.RETAINED)  # the burn-up counts these

    team = models.ForeignKey("teams.Team", on_delete=models.PROTECT, related_name="data_products")
    name = models.CharField(max_length=100)
    kind = models.CharField(max_length=20, choices=ProductKind.choices)
    owner = models.CharField(max_length=150, help_text="Who answers for it (name or e-mail).")
    current_platform = models.CharField(max_length=150, help_text="Where it runs now, e.g. SAS Grid, on-prem Hadoop.")
    languages = models.JSONField(default=list, blank=True, help_text="Languages and frameworks: SAS, R, Python, "
                                                                     "PySpark…")
    cadence = models.CharField(max_length=20, choices=Cadence.choices, help_text="How often it runs or infers.")
    data_sources = models.JSONField(default=list, blank=True,
                                    help_text='[{"name": "crm.customers", "classification": "confidential"}]')
    criticality = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM,
                                   help_text="Business criticality.")
    regulatory_constraints = models.TextField(blank=True, help_text="e.g. GDPR, model risk (SR 11-7); empty: none.")
    complexity = models.CharField(max_length=10, choices=Level.choices, default=Level.MEDIUM)
    depends_on = models.ManyToManyField("self", symmetrical=False, blank=True, related_name="dependents",
                                        help_text="Other products this one needs (of the same team).")
    in_use = models.BooleanField(default=True, help_text="Someone still uses its results.")
    commercial_alternative = models.BooleanField(default=False, help_text="A product on the market does the same.")
    cores = models.PositiveIntegerField(default=2)
    memory_gb = models.PositiveIntegerField(default=8)
    gpus = models.PositiveIntegerField(default=0)
    hours_per_week = models.PositiveIntegerField(default=10)
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.CATALOGUED, editable=False)
    r = models.CharField("R", max_length=20, choices=R.choices, blank=True, editable=False,
                         help_text="The approved R (empty until the triage is approved).")
    wave = models.ForeignKey(Wave, null=True, blank=True, on_delete=models.SET_NULL, related_name="products")
    revisit_on = models.DateField(null=True, blank=True, editable=False, help_text="Retain: when to look again.")
    revisit_reminded_on = models.DateField(null=True, blank=True, editable=False)
    completed_at = models.DateTimeField(null=True, blank=True, editable=False)  # reached a done state

    class Meta:
        ordering = ["team", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="one_product_name_per_team")]

    def __str__(self) -> str:
        return self.name

    @property
    def data_classification(self) -> str:
        """The highest classification of its data sources (internal when it declares none)."""
        found = [s.get("classification") for s in self.data_sources if s.get("classification") in CLASSIFICATIONS]
        return max(found, key=CLASSIFICATIONS.index, default="internal")


class DecisionTree(TimeStampedModel):
    """The triage decision tree, as data: drafts are edited and tried on products in the admin, one
    version is published at a time, a published version never changes (triages point at it)."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"  # being edited; try it in the admin
        PUBLISHED = "published", "Published"  # the one proposing Rs
        SUPERSEDED = "superseded", "Superseded"  # an older published version

    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.SUPERSEDED},
        Status.SUPERSEDED: set(),
    }

    number = models.PositiveIntegerField(unique=True)
    definition = models.JSONField(help_text="The tree: see portal/migration/decision_tree.py for the format.")
    note = models.CharField(max_length=200, blank=True, help_text="What changed in this version.")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-number"]

    def __str__(self) -> str:
        return f"Decision tree v{self.number} ({self.get_status_display().lower()})"

    def clean(self):
        from .decision_tree import tree_problems

        if self.pk and type(self).objects.filter(pk=self.pk).exclude(status=self.Status.DRAFT).exists():
            raise ValidationError("A published tree does not change: copy it into a new draft.")
        problems = tree_problems(self.definition)
        if problems:
            raise ValidationError({"definition": problems})


class Triage(TimeStampedModel):
    """One triage of a product: what the tree proposed and why, what the team chose, the review."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"  # the tree answered; the team has not confirmed yet
        IN_REVIEW = "in_review", "In review"  # confirmed; MLOps enablement reviews it
        APPROVED = "approved", "Approved"
        CHANGES_REQUESTED = "changes_requested", "Changes requested"  # triage again
        REJECTED = "rejected", "Rejected"  # triage again
        SUPERSEDED = "superseded", "Superseded"  # a newer proposal replaced it before it was confirmed

    TRANSITIONS: dict[str, set[str]] = {
        Status.PROPOSED: {Status.IN_REVIEW, Status.SUPERSEDED},
        Status.IN_REVIEW: {Status.APPROVED, Status.CHANGES_REQUESTED, Status.REJECTED},
        Status.APPROVED: set(),
        Status.CHANGES_REQUESTED: set(),
        Status.REJECTED: set(),
        Status.SUPERSEDED: set(),
    }

    product = models.ForeignKey(DataProduct, on_delete=models.CASCADE, related_name="triages")
    tree = models.ForeignKey(DecisionTree, on_delete=models.PROTECT, related_name="triages")
    proposed_r = models.CharField(max_length=20, choices=R.choices)
    reasons = models.JSONField(default=list, help_text="The branches the tree took, in order.")
    chosen_r = models.CharField(max_length=20, choices=R.choices, blank=True)
    justification = models.TextField(blank=True, help_text="Why the team chose another R than the tree.")
    confirmed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                     related_name="+")
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PROPOSED, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"Triage of {self.product}: {self.get_chosen_r_display() or self.get_proposed_r_display()}"

    @property
    def overridden(self) -> bool:
        return bool(self.chosen_r) and self.chosen_r != self.proposed_r


class EnvironmentMapping(TimeStampedModel):
    """Admin-edited: which template or bundle a product migrated with an R (and of a kind) starts from."""

    r = models.CharField("R", max_length=20, choices=[(r.value, r.label) for r in ENVIRONMENT_RS])
    product_kind = models.CharField(max_length=20, choices=ProductKind.choices, blank=True,
                                    help_text="Empty: any kind (a mapping for the kind wins).")
    for_gpus = models.BooleanField("for GPU products", default=False,
                                   help_text="For products that use GPUs today (they get it before any other "
                                             "mapping; other products never do).")
    template = models.ForeignKey("catalog.ResourceTemplate", null=True, blank=True, on_delete=models.PROTECT,
                                 related_name="+")
    bundle = models.ForeignKey("catalog.Bundle", null=True, blank=True, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["r", "product_kind", "for_gpus"]
        constraints = [
            models.UniqueConstraint(fields=["r", "product_kind", "for_gpus"], name="one_mapping_per_r_kind_gpus"),
            models.CheckConstraint(condition=models.Q(template__isnull=True) ^ models.Q(bundle__isnull=True),
                                   name="mapping_to_a_template_or_a_bundle"),
        ]

    def __str__(self) -> str:
        kind = (self.get_product_kind_display() or "any kind") + (" with GPUs" if self.for_gpus else "")
        return f"{self.get_r_display()} {kind} → {self.template or self.bundle}"

    def clean(self):
        if bool(self.template_id) == bool(self.bundle_id):
            raise ValidationError("Choose a template or a bundle (one of them).")


class Decommission(TimeStampedModel):
    """The checklist of a product triaged to retire: the owner signs off, data retention is decided."""

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        DONE = "done", "Done"  # every item ticked: the product is retired

    TRANSITIONS: dict[str, set[str]] = {Status.OPEN: {Status.DONE}, Status.DONE: set()}

    class Retention(models.TextChoices):
        DELETE = "delete", "Delete the data"
        ARCHIVE = "archive", "Archive the data until a date"

    product = models.OneToOneField(DataProduct, on_delete=models.CASCADE, related_name="decommission")
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.OPEN, editable=False)
    owner_signed_off_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True,
                                            on_delete=models.PROTECT, related_name="+")
    owner_signed_off_at = models.DateTimeField(null=True, blank=True)
    retention = models.CharField(max_length=10, choices=Retention.choices, blank=True)
    retain_until = models.DateField(null=True, blank=True)
    consumers_notified = models.BooleanField(default=False)

    def __str__(self) -> str:
        return f"Decommission of {self.product}"


class ParallelRun(TimeStampedModel):
    """The migrated product runs beside the original; its inference cycles are compared with tolerances."""

    product = models.OneToOneField(DataProduct, on_delete=models.CASCADE, related_name="parallel_run")
    started_on = models.DateField()
    environment_request_id = models.PositiveIntegerField(null=True, blank=True,
                                                         help_text="The onboarding request that built it.")
    key_column = models.CharField(max_length=100, blank=True, help_text="Column that identifies a row in both "
                                  "outputs; empty: rows are compared in order.")
    max_row_count_difference_pct = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    max_numeric_difference = models.FloatField(default=1e-6, help_text="Largest absolute difference allowed "
                                               "between two numbers of the same row and column.")
    min_label_agreement_pct = models.DecimalField(max_digits=6, decimal_places=2, default=100,
                                                  help_text="Share of equal labels (non-numeric columns).")

    def __str__(self) -> str:
        return f"Parallel run of {self.product}"


class ValidationCycle(TimeStampedModel):
    """One inference cycle's old and new outputs, compared (a record: it never changes)."""

    parallel_run = models.ForeignKey(ParallelRun, on_delete=models.CASCADE, related_name="cycles")
    number = models.PositiveIntegerField()
    due_on = models.DateField()
    passed = models.BooleanField()
    checks = models.JSONField(default=list, help_text="[{check, measured, limit, passed, detail}]")
    old_rows = models.PositiveIntegerField()
    new_rows = models.PositiveIntegerField()
    old_sha256 = models.CharField(max_length=64)
    new_sha256 = models.CharField(max_length=64)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["parallel_run", "number"]
        constraints = [models.UniqueConstraint(fields=["parallel_run", "number"], name="one_cycle_per_number")]

    def __str__(self) -> str:
        return f"Cycle {self.number} of {self.parallel_run.product}"


class Lesson(TimeStampedModel):
    """The playbook: what a migration taught, shown to teams triaging similar products."""

    product = models.ForeignKey(DataProduct, null=True, blank=True, on_delete=models.SET_NULL, related_name="lessons")
    r = models.CharField("R", max_length=20, choices=R.choices)
    product_kind = models.CharField(max_length=20, choices=ProductKind.choices)
    languages = models.JSONField(default=list, blank=True)
    title = models.CharField(max_length=200)
    body = models.TextField()
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return self.title
