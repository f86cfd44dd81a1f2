"""The values of a migrated product's environment request, sized from what it uses on premises.

For a machine (CPU or GPU VM): the cheapest instance type the template offers with at least the product's
cores, memory and GPUs (the largest offered when none is big enough). Every other value: the schema's
default, a name made from the product's, and a purpose that says which migration it serves. The team
reviews the draft before submitting it; anything missing is asked for there.
"""

from __future__ import annotations

import re

from portal.catalog.instance_types import INSTANCE_TYPES

NAME_LIMIT = 40


def resource_name(product, suffix: str = "") -> str:
    base = re.sub(r"[^a-z0-9-]+", "-", product.name.lower()).strip("-") or "product"
    if not base[0].isalpha():
        base = f"m-{base}"
    base = base if len(base) >= 3 else f"{base}-app"
    name = f"{base[:NAME_LIMIT - len(suffix) - 1]}-{suffix}" if suffix else base[:NAME_LIMIT]
    return re.sub(r"-+", "-", name).strip("-")


def instance_type_for(product, offered: list[str]) -> str | None:
    types = [INSTANCE_TYPES[name] for name in offered if name in INSTANCE_TYPES]
    if not types:
        return None
    fitting = [t for t in types if t.vcpus >= product.cores and t.memory_gib >= product.memory_gb
               and t.gpus >= product.gpus]
    if fitting:
        return min(fitting, key=lambda t: (t.hourly_usd, t.vcpus)).name
    return max(types, key=lambda t: (t.gpus, t.memory_gib, t.vcpus)).name


def values_for(product, version, *, suffix: str = "") -> dict:
    """Values for one item of ``version`` (a TemplateVersion) serving ``product``."""
    schema = version.parameter_schema or {}
    properties = schema.get("properties", {})
    values = {name: spec["default"] for name, spec in properties.items() if "default" in spec}
    if "name" in properties:
        values["name"] = resource_name(product, suffix)
    if "purpose" in properties:
        values["purpose"] = f"Migration of {product.name} ({product.get_kind_display()}) from " \
                            f"{product.current_platform}"[:200]
    offered = properties.get("instance_type", {}).get("enum")
    if offered:
        chosen = instance_type_for(product, offered)
        if chosen:
            values["instance_type"] = chosen
    if "workload_hours_per_week" in properties:
        values["workload_hours_per_week"] = max(1, min(168, product.hours_per_week))
    return values
