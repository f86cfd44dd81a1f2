"""The built-in resource templates, published as version 1 on first start."""

from __future__ import annotations

from .models import ResourceTemplate, TemplateVersion

SANDBOX_AMI = "ami-04681a1dbd79675a5"  # an image the sandbox (moto) knows

NAME_PROPERTY = {
    "type": "string",
    "title": "Name",
    "description": "3–40 lowercase letters, digits or dashes; unique within your team.",
    "pattern": "^[a-z][a-z0-9-]{2,39}$",
    "x-pattern-message": "Use 3–40 lowercase letters, digits or dashes, starting with a letter.",
}
PURPOSE_PROPERTY = {
    "type": "string",
    "title": "Purpose",
    "description": "What the team will use it for.",
    "minLength": 3,
    "maxLength": 500,
    "x-widget": "textarea",
}

BUILTIN = [
    {
        "slug": "cpu-vm",
        "kind": "cpu_vm",
        "name": "CPU virtual machine",
        "description": "One EC2 machine for notebooks, feature engineering and CPU training.",
        "module": "cpu_vm",
        "fixed_values": {"ami": SANDBOX_AMI},
        "schema": {
            "type": "object",
            "additionalProperties": False,
            "required": ["name", "instance_type", "disk_size_gb", "purpose"],
            "x-order": ["name", "instance_type", "disk_size_gb", "purpose"],
            "properties": {
                "name": NAME_PROPERTY,
                "instance_type": {
                    "type": "string",
                    "title": "Instance type",
                    "enum": ["t3.large", "t3.xlarge", "m5.xlarge", "m5.2xlarge", "c5.2xlarge", "r5.2xlarge"],
                    "x-enum-labels": {
                        "t3.large": "t3.large — 2 vCPU, 8 GiB",
                        "t3.xlarge": "t3.xlarge — 4 vCPU, 16 GiB",
                        "m5.xlarge": "m5.xlarge — 4 vCPU, 16 GiB",
                        "m5.2xlarge": "m5.2xlarge — 8 vCPU, 32 GiB",
                        "c5.2xlarge": "c5.2xlarge — 8 vCPU, 16 GiB, compute-optimised",
                        "r5.2xlarge": "r5.2xlarge — 8 vCPU, 64 GiB, memory-optimised",
                    },
                    "default": "t3.large",
                },
                "disk_size_gb": {
                    "type": "integer",
                    "title": "Disk size (GiB)",
                    "minimum": 20,
                    "maximum": 2000,
                    "default": 50,
                },
                "purpose": PURPOSE_PROPERTY,
            },
        },
    },
]


def ensure_builtin_templates() -> list[TemplateVersion]:
    """Create each built-in template with a published v1 if it does not exist yet."""
    from django.utils import timezone

    versions = []
    for spec in BUILTIN:
        template, _ = ResourceTemplate.objects.get_or_create(
            slug=spec["slug"],
            defaults={"kind": spec["kind"], "name": spec["name"], "description": spec["description"]},
        )
        version = template.versions.order_by("number").first()
        if version is None:
            version = TemplateVersion.objects.create(
                template=template, number=1, parameter_schema=spec["schema"], module=spec["module"],
                fixed_values=spec["fixed_values"], status=TemplateVersion.Status.PUBLISHED,
                published_at=timezone.now(),
            )
        versions.append(version)
    return versions
