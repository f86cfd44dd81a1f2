from django.db import models

from portal.core.models import TimeStampedModel


class ResourceKind(models.TextChoices):
    CPU_VM = "cpu_vm", "CPU virtual machine"
    GPU_VM = "gpu_vm", "GPU virtual machine"
    CLUSTER = "cluster", "Kubernetes cluster"
    STORAGE = "storage", "Storage bucket"
    DIRECTORY_GROUP = "directory_group", "Directory group"
    REPO = "repo", "Git repository"
    CI_PIPELINE = "ci_pipeline", "CI pipeline"


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

    template = models.ForeignKey(ResourceTemplate, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.DRAFT, editable=False)
    parameter_schema = models.JSONField(help_text="JSON Schema of the values a requester fills in.")
    engine = models.CharField(max_length=20, choices=[(n, n) for n in ("terraform", "scaffold", "directory")],
                              default="terraform", help_text="What carries out this kind of item.")
    module = models.CharField(max_length=60, help_text="Terraform module under terraform/modules/, or the "
                              "scaffold / directory profile the engine uses.")
    fixed_values = models.JSONField(default=dict, blank=True, help_text="Values set by admins, not requesters.")
    published_at = models.DateTimeField(null=True, blank=True, editable=False)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["template", "number"], name="unique_version_number")]
        ordering = ["template", "-number"]

    def __str__(self) -> str:
        return f"{self.template} v{self.number}"

    @property
    def kind(self) -> str:
        return self.template.kind
