"""The catalog card of every template and bundle says what it costs and who approves it."""

from portal.approvals.preview import likely_approvals
from portal.catalog.cards import catalog_cards, schema_defaults
from portal.catalog.selectors import offered_bundles, offered_versions


def test_cards_show_cost_at_default_size_and_the_typical_approvers(demo):
    from portal.approvals.preview import likely_approvals

    bundles, templates = catalog_cards(offered_versions(), offered_bundles(), approvals_for=likely_approvals)
    by_name = {card.name: card for card in [*bundles, *templates]}
    gpu = by_name["GPU virtual machine"]
    assert gpu.monthly > 300  # g4dn.xlarge all month and a 200 GB disk
    assert [a.team for a in gpu.approvals if not a.when] == ["MLOps enablement", "Finance"]
    assert any(a.team == "InfoSec" and "confidential" in a.when for a in gpu.approvals)
    assert [a.team for a in by_name["CPU virtual machine"].approvals if not a.when] == ["MLOps enablement"]
    assert by_name["Kubernetes cluster (EKS)"].approvals[1].team == "Cloud Ops"
    repo = next(card for card in templates if card.parts[0] == "Git repository")
    assert repo.free
    training = by_name["GPU training"]
    assert training.parts == ["GPU virtual machine", "Storage bucket (S3)"]
    assert "Finance" in [a.team for a in training.approvals]


def test_catalog_page_lists_cost_and_approvers(client, demo):
    client.force_login(demo.people["requester"])
    page = client.get("/catalog/").content.decode()
    assert " a month" in page and "No cloud cost" in page and "Finance" in page
    assert 'aria-label="Request GPU training bundle"' in page
    # InfoSec joins any request with confidential data: said once, not on every card.
    assert page.count("if the data is confidential") == 1 and 'id="approvals-everywhere"' in page


def test_without_any_matching_rule_the_default_team_is_named(demo):
    from portal.approvals.models import ApprovalRule

    ApprovalRule.objects.all().delete()
    version = demo.versions["cpu-vm"]
    approvals = likely_approvals([(version, schema_defaults(version.parameter_schema))])
    assert [a.team for a in approvals] == ["MLOps enablement"]
