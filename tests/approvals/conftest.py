"""Requests to route: GPU and cluster templates beside the seeded CPU VM, a fixed cost when needed."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from portal.catalog.models import ResourceTemplate, TemplateVersion
from portal.catalog.pricing import CostEstimate
from portal.onboarding.services import submit_new_request
from tests.fixtures.people import CPU_VM_VALUES

NAME = {"type": "string", "pattern": "^[a-z][a-z0-9-]{2,39}$"}
GPU_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["name", "instance_type"],
    "properties": {"name": NAME, "instance_type": {"type": "string", "enum": ["g5.xlarge", "g5.2xlarge"]},
                   "purpose": {"type": "string"}},
}
CLUSTER_SCHEMA = {
    "type": "object", "additionalProperties": False, "required": ["name"],
    "properties": {"name": NAME, "node_count": {"type": "integer", "minimum": 1, "maximum": 10},
                   "gpu_enabled": {"type": "boolean"}},
}
GPU_VALUES = {"name": "gpu-box", "instance_type": "g5.xlarge"}
DETAILS = {"data_classification": "internal", "business_justification": "train churn models",
           "cost_centre": "CC-1", "expected_duration_days": 90}


def _published(slug: str, kind: str, schema: dict) -> TemplateVersion:
    template = ResourceTemplate.objects.create(slug=slug, kind=kind, name=slug.replace("-", " "))
    return TemplateVersion.objects.create(template=template, number=1, parameter_schema=schema, module=kind,
                                          status=TemplateVersion.Status.PUBLISHED, published_at=timezone.now())


@pytest.fixture
def gpu_version(demo):
    return _published("test-gpu-vm", "gpu_vm", GPU_SCHEMA)


@pytest.fixture
def cluster_version(demo):
    return _published("test-cluster", "cluster", CLUSTER_SCHEMA)


@pytest.fixture
def submit(demo):
    """``submit(version, values, **details)`` as the demo requester; the CPU VM by default."""
    def _submit(version=None, values=None, *, actor=None, title="VM", items=None, **details):
        items = items or [(version or demo.versions["cpu-vm"], values or CPU_VM_VALUES)]
        return submit_new_request(actor=actor or demo.people["requester"], team=demo.teams["churn-modelling"],
                                  title=title, items=items, details={**DETAILS, **details})
    return _submit


@pytest.fixture
def monthly_cost(monkeypatch):
    """``monthly_cost(2500)``: every request is estimated at that (routing must not depend on a price list)."""
    def set_cost(monthly):
        estimate = CostEstimate(hourly=Decimal(monthly) / 730, monthly=Decimal(monthly))
        monkeypatch.setattr("portal.approvals.facts.estimate_items", lambda pairs, **kw: estimate)
    return set_cost


def stage_of(request, team_slug: str):
    return request.stages.exclude(status="void").get(team__slug=team_slug)
