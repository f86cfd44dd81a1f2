"""Items of one request, in the order they must exist, and what earlier items hand to later ones.

A bundle ("ML starter": group, repo, pipeline, bucket, VM) is provisioned one item at a time:
a directory group before the repo that grants it access, the repo before the CI pipeline that
builds it, storage before the machines that mount it. Outputs reach later items only through
``FEEDS``, a small declared mapping per kind (never free-form), and always win over a value the
requester typed for the same variable.
"""

from __future__ import annotations

PROVISIONING_ORDER = ("directory_group", "repo", "ci_pipeline", "storage", "cpu_vm", "gpu_vm", "cluster")

# kind of the receiving item -> {its variable: (kind of an earlier item, that item's output)}
FEEDS: dict[str, dict[str, tuple[str, str]]] = {
    "ci_pipeline": {"repo_url": ("repo", "clone_url")},
}


class MissingInput(Exception):
    """An earlier item that should feed this one has no such output; retrying will not help."""

    transient = False


def provisioning_rank(item) -> tuple[int, int, int]:
    kind = item.template_version.kind
    rank = PROVISIONING_ORDER.index(kind) if kind in PROVISIONING_ORDER else len(PROVISIONING_ORDER)
    return rank, item.position, item.pk


def in_provisioning_order(items) -> list:
    return sorted(items, key=provisioning_rank)


def inputs_for(item) -> dict:
    """Values this item receives from earlier items of its request, as stored: a sensitive one stays
    sealed (the worker opens it for the engine only)."""
    from portal.inventory.models import ProvisionedResource

    feeds = FEEDS.get(item.template_version.kind)
    if not feeds:
        return {}
    siblings = item.request.items.exclude(pk=item.pk).select_related("template_version__template")
    earlier = [other for other in in_provisioning_order(siblings) if provisioning_rank(other) < provisioning_rank(item)]
    inputs = {}
    for variable, (kind, output) in feeds.items():
        source = next((other for other in earlier if other.template_version.kind == kind), None)
        if source is None:
            continue  # nothing in this request provides it: the requester's value (if any) stays
        resource = ProvisionedResource.objects.filter(item=source, status=ProvisionedResource.Status.ACTIVE).first()
        outputs = resource.outputs if resource else {}
        if output not in outputs:
            raise MissingInput(f"“{item}” needs the {output} output of “{source}”, which has none "
                               f"(is it provisioned?).")
        inputs[variable] = outputs[output]
    return inputs
