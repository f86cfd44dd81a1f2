"""The migration world: the demo plus the decision tree v1, the environment mappings, the Risk analytics team."""

import pytest

from portal.migration.models import DataProduct
from portal.migration.seed import ensure_decision_tree, ensure_demo_migration, ensure_environment_mappings
from portal.migration.services import create_product

PRODUCT = {"name": "churn-scoring", "kind": "model", "owner": "ana@example.org", "current_platform": "SAS Grid",
           "languages": ["Python"], "cadence": "weekly",
           "data_sources": [{"name": "crm", "classification": "internal"}],
           "criticality": "medium", "regulatory_constraints": "", "complexity": "low", "depends_on": [],
           "in_use": True, "commercial_alternative": False, "cores": 4, "memory_gb": 16, "gpus": 0,
           "hours_per_week": 10}


@pytest.fixture
def migration(demo):
    """The demo with the migration seed (decision tree, mappings) but no demo portfolio."""
    ensure_decision_tree()
    ensure_environment_mappings()
    return demo


@pytest.fixture
def portfolio(demo):
    """The demo with the Risk analytics team's dozen products."""
    ensure_demo_migration(demo.teams)
    demo.people = {u.username: u for u in type(demo.people["requester"]).objects.all()}
    return demo


@pytest.fixture
def make_product(migration):
    def make(team=None, actor=None, **fields) -> DataProduct:
        return create_product(actor=actor or migration.people["requester"],
                              team=team or migration.teams["churn-modelling"], data={**PRODUCT, **fields})

    return make
