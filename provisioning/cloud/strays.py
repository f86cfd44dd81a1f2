"""Machines an interrupted run left behind: created in the cloud, never recorded in the state.

Terraform stopped in the middle of a create call (the worker killed, a person's cancel) may lose the
answer: the cloud made the machine, the state never heard of it, and the next apply makes another.
Before the next apply or destroy of such a workspace the engine asks the cloud for the machines that
carry the item's ownership tag and terminates those its state does not hold (they are the item's by
their tag and nobody else's by the state). Machines only: they are what costs; a lost IAM role or
profile (name_prefix) is harmless. No Django imports.
"""

from __future__ import annotations

from collections.abc import Iterable

ITEM_TAG = "portal:item"
LIVE_STATES = ("pending", "running", "stopping", "stopped")


def recorded_instances(state: dict | None) -> set[str]:
    """IDs of the ``aws_instance`` resources a Terraform state holds."""
    found = set()
    for resource in (state or {}).get("resources", []):
        if resource.get("mode") == "managed" and resource.get("type") == "aws_instance":
            found.update(i["attributes"]["id"] for i in resource.get("instances", [])
                         if i.get("attributes", {}).get("id"))
    return found


def stray_instances(ec2, *, item: str, recorded: Iterable[str]) -> list[str]:
    """Live machines tagged as ``item``'s that are not in ``recorded``."""
    known = set(recorded)
    pages = ec2.get_paginator("describe_instances").paginate(Filters=[
        {"Name": "instance-state-name", "Values": list(LIVE_STATES)},
        {"Name": f"tag:{ITEM_TAG}", "Values": [item]},
    ])
    return sorted(instance["InstanceId"] for page in pages for reservation in page["Reservations"]
                  for instance in reservation["Instances"] if instance["InstanceId"] not in known)


def terminate(ec2, ids: list[str]) -> None:
    if ids:
        ec2.terminate_instances(InstanceIds=ids)
