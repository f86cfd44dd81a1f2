"""Items of one request, in the order they must exist, and what earlier items hand to later ones.

A bundle ("ML starter": group, repo, pipeline, bucket, VM) is provisioned one item at a time:
a directory group before the repo that grants it access, the repo before the CI pipeline that
builds it, storage before the machines that mount it. Outputs reach later items only through
``FEEDS``, a small declared mapping per kind (never free-form), and always win over a value the
requester typed for the same variable.
"""

from __future__ import annotations

from django.conf import settings

PROVISIONING_ORDER = ("directory_group", "repo", "ci_pipeline", "storage", "cpu_vm", "gpu_vm", "cluster")

# kind of the receiving item -> {its variable: (kind of an earlier item, that item's output)}
FEEDS: dict[str, dict[str, tuple[str, str]]] = {
    "ci_pipeline": {"repo_url": ("repo", "clone_url")},
}


# Kinds that grant the team's role access (``team_role_arn``, see README "Getting in"),
# fed from the team's directory group when it has one: with none, the module grants nothing.
TEAM_ROLE_KINDS = frozenset({"storage", "cpu_vm", "gpu_vm", "cluster", "dataset_grant"})
SANDBOX_CANNOT_GRANT = frozenset({"cluster"})  # moto 5.2 has no EKS access entries: the apply would fail there


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


def team_access_inputs(item) -> dict:
    """``{"team_role_arn": …}`` for a kind that grants the team access, when the team has a directory group
    with a role: the one of this request first, else the team's newest active one. Always the current one
    (never carried over from an earlier apply): a role that is gone is no longer granted."""
    from portal.inventory.models import ProvisionedResource

    kind = item.template_version.kind
    if kind not in TEAM_ROLE_KINDS or (kind in SANDBOX_CANNOT_GRANT and settings.PORTAL_CLOUD == "sandbox"):
        return {}
    groups = ProvisionedResource.objects.filter(team_id=item.request.team_id, kind="directory_group",
                                                status=ProvisionedResource.Status.ACTIVE).order_by("-pk")
    for group in [*groups.filter(item__request_id=item.request_id), *groups]:
        role = (group.outputs or {}).get("team_role_arn")
        if isinstance(role, str) and role:
            return {"team_role_arn": role}
    return {}
