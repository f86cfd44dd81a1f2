from django.db import models

from portal.core.models import TimeStampedModel

# A schema property with this flag is kept on the request (approvers and sizing advice read it)
# but never handed to the engine: Terraform would only warn about an undeclared variable.
PORTAL_ONLY = "x-portal-only"

# Terraform variables the portal itself sets, never offered to requesters (a schema may not declare
# them, fixed values may not set them): whether a VM runs or is stopped (idle-GPU stops), and the team's
# role that a VM, bucket or cluster grants access to (fed from the team's directory group). They reach
# the engine only when the version's frozen module declares them (``onboarding.snapshots``).
PORTAL_SET_VARIABLES = frozenset({"instance_state", "team_role_arn"})


class ResourceKind(models.TextChoices):
    CPU_VM = "cpu_vm", "CPU virtual machine"
    GPU_VM = "gpu_vm", "GPU virtual machine"
    CLUSTER = "cluster", "Kubernetes cluster"
    STORAGE = "storage", "Storage bucket"
    DIRECTORY_GROUP = "directory_group", "Directory group"
    REPO = "repo", "Git repository"
    CI_PIPELINE = "ci_pipeline", "CI pipeline"
    DATASET_GRANT = "dataset_grant", "Dataset access grant"


# Kinds the portal's own services compose (a dataset access request, portal.datasets), with values they
# set: never offered in the catalog, refused in a request made or edited by hand, never modified in place.
COMPOSED_KINDS = frozenset({ResourceKind.DATASET_GRANT})


class ResourceTemplate(TimeStampedModel):
    """A kind of thing teams may request; what it asks and does lives in its versions."""

    kind = models.CharField(max_length=30, choices=ResourceKind.choices)
    name = models.CharField(max_length=100)
    slug = models.SlugField(max_length=60, unique=True)
    description = models.TextField(blank=True)
    owner = models.ForeignKey("teams.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name

    def published_version(self):
        return self.versions.filter(status=TemplateVersion.Status.PUBLISHED).order_by("-number").first()


class TemplateVersion(TimeStampedModel):
    """What a request pins: the parameter schema, the module it drives, admin-fixed values."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"  # editable by admins, not offered to requesters
        PUBLISHED = "published", "Published"  # offered; immutable
        DEPRECATED = "deprecated", "Deprecated"  # no new requests; existing ones keep it

    TRANSITIONS: dict[str, set[str]] = {
        Status.DRAFT: {Status.PUBLISHED},
        Status.PUBLISHED: {Status.DEPRECATED},
        Status.DEPRECATED: set(),
    }

    CONTENT_FIELDS = ("template", "number", "parameter_schema", "engine", "module", "fixed_values",
                      "default_lifetime_days")

    template = models.ForeignKey(ResourceTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    parameter_schema = models.JSONField(help_text="JSON Schema of the values a requester fills in.")
    engine = models.CharField(max_length=20, choices=[(n, n) for n in ("terraform", "scaffold", "directory")],
                              default="terraform", help_text="What carries out this kind of item.")
    module = models.CharField(max_length=60, help_text="Terraform module under terraform/modules/, or the "
                              "scaffold / directory profile the engine uses.")
    fixed_values = models.JSONField(default=dict, blank=True, help_text="Values set by admins, not requesters.")
    default_lifetime_days = models.PositiveIntegerField(
        null=True, blank=True, help_text="Resources made from this version expire after this many days (owners are "
                                         "warned first and may ask for an extension); empty: no expiry.")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    module_content = models.ForeignKey(
        "provisioning.ModuleContent", null=True, blank=True, on_delete=models.PROTECT, related_name="+",
        editable=False, help_text="The Terraform module's files, frozen when the version is published: later "
                                  "edits of the files on disk never change what this version plans or applies.")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_version_number")]
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def kind(self) -> str:
        return self.template.kind

    def save(self, *args, **kwargs):
        """A published or deprecated version never changes what it asks or does (nor its frozen module)."""
        update_fields = kwargs.get("update_fields")
        if self.pk and (update_fields is None or not set(update_fields) <= {"status", "published_at", "updated_at"}):
            fields = (*self.CONTENT_FIELDS, "module_content")
            stored = TemplateVersion.objects.filter(pk=self.pk).values("status", *fields).first()
            if stored and stored["status"] != self.Status.DRAFT:
                current = {f: getattr(self, f if f != "template" else "template_id") for f in self.CONTENT_FIELDS}
                current["module_content"] = self.module_content_id
                if any(stored[f] != current[f] for f in fields):
                    raise ValueError(f"{self} is {stored['status']}: make a new draft to change it")
        super().save(*args, **kwargs)

    def engine_values(self, values: dict) -> dict:
        """Requester values the engine receives: without portal-only answers, fixed values winning. Keys
        outside the schema are kept: values fed by earlier items and the portal-set variables
        (``PORTAL_SET_VARIABLES``) pass here; requesters cannot add any (the schemas forbid additional
        properties, and a schema may not declare a portal-set variable)."""
        props = self.parameter_schema.get("properties", {})
        kept = {k: v for k, v in values.items() if not props.get(k, {}).get(PORTAL_ONLY)}
        return {**kept, **self.fixed_values}


class Bundle(TimeStampedModel):
    """A named set of templates requested together in one request ("ML starter")."""

    slug = models.SlugField(max_length=60, unique=True)
    name = models.CharField(max_length=100)
    description = models.TextField(blank=True)
    is_active = models.BooleanField(default=True, help_text="Shown in the catalog.")

    def __str__(self) -> str:
        return self.name


class BundleItem(models.Model):
    bundle = models.ForeignKey(Bundle, on_delete=models.CASCADE, related_name="items")
    template = models.ForeignKey(ResourceTemplate, on_delete=models.PROTECT, related_name="+")
    version = models.ForeignKey(TemplateVersion, null=True, blank=True, on_delete=models.PROTECT,
                                related_name="+", help_text="Pin a version; empty means the newest published.")
    position = models.PositiveIntegerField(default=0)
    label = models.CharField(max_length=100, blank=True, help_text="Section title; defaults to the template name.")

    class Meta:
        ordering = ["bundle", "position", "id"]

    def __str__(self) -> str:
        return f"{self.bundle}: {self.label or self.template}"


class Price(TimeStampedModel):
    """A list price the cost estimate uses, e.g. ``ec2:g5.xlarge`` at 1.006 USD per hour."""

    class Unit(models.TextChoices):
        HOUR = "hour", "per hour"
        GB_MONTH = "gb_month", "per GB-month"
        BUILD_MINUTE = "build_minute", "per build minute"

    key = models.CharField(max_length=80, unique=True, help_text="ec2:<instance type>, ebs:gp3, s3:standard, "
                           "eks:cluster or codebuild:<compute type>.")
    unit = models.CharField(max_length=20, choices=Unit.choices, default=Unit.HOUR)
    usd = models.DecimalField(max_digits=12, decimal_places=6, help_text="List price in US dollars.")
    description = models.CharField(max_length=200, blank=True)

    class Meta:
        ordering = ["key"]

    def __str__(self) -> str:
        return f"{self.key}: ${self.usd} {self.get_unit_display()}"
