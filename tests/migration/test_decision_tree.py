"""The triage decision tree: every R reachable with its reasons, a broken tree refused, versions published
one at a time, and the admin trying a draft on the products before it is published."""

import copy

import pytest

from portal.core.errors import ApplicationError
from portal.migration.decision_tree import DEFAULT_TREE, RS, reachable_rs, tree_problems, walk
from portal.migration.models import DecisionTree
from portal.migration.selectors import facts_of
from portal.migration.services import draft_tree_from, propose_triage, publish_tree

BASE = {"in_use": True, "commercial_alternative": False, "classification": "internal", "regulated": False,
        "languages": ["python"], "complexity": "low", "criticality": "low"}
CASES = [  # facts changed from BASE, the R, a reason that must be among the reasons shown
    ({"in_use": False}, "retire", "Nobody uses its results any more."),
    ({"commercial_alternative": True}, "rebuild", "A product on the market does the same."),
    ({"classification": "restricted", "regulated": True}, "retain", "Regulatory constraints apply to that data."),
    ({"languages": ["sas", "python"]}, "refactor", "It is written in SAS, which the cloud platform does not run."),
    ({"languages": ["pyspark"]}, "replatform", "It runs on Spark: a managed cluster replaces the on-premises one."),
    ({}, "rehost", "Its complexity is low or medium."),
    ({"complexity": "high", "criticality": "high"}, "rebuild",
     "It is business-critical: rebuild it cloud-native rather than carry its debt."),
    ({"classification": "restricted", "regulated": False, "complexity": "high"}, "rehost",
     "No regulatory constraint applies."),
]


@pytest.mark.parametrize(("changes", "r", "reason"), CASES)
def test_every_r_is_reachable_with_the_reasons_it_took(changes, r, reason):
    answer = walk(DEFAULT_TREE, {**BASE, **changes})
    assert answer.r == r
    assert reason in answer.reasons
    assert len(answer.reasons) == len(answer.path)  # one reason per node visited, the leaf's last


def test_the_cases_cover_all_six_rs():
    assert {r for _, r, _ in CASES} == set(RS) == reachable_rs(DEFAULT_TREE)
    assert tree_problems(DEFAULT_TREE) == []


@pytest.mark.parametrize(("break_it", "message"), [
    (lambda t: t["nodes"]["in-use"].update(yes="nowhere"), "no node called “nowhere”"),
    (lambda t: t.update(start="missing"), "start: no node called"),
    (lambda t: t["nodes"]["complex"].update(no="in-use"), "a loop"),
    (lambda t: t["nodes"]["retire"].update(r="relocate"), "nodes/retire"),
    (lambda t: t["nodes"]["sas"].update(op="contains_any", value="sas"), "needs a list"),
    (lambda t: t["nodes"].update(orphan={"r": "retain", "because": "x"}), "never reached"),
    (lambda t: t["nodes"]["in-use"].update(fact="colour"), "nodes/in-use"),
])
def test_a_broken_tree_says_what_is_wrong(break_it, message):
    tree = copy.deepcopy(DEFAULT_TREE)
    break_it(tree)
    problems = tree_problems(tree)
    assert any(message in problem for problem in problems), problems


def test_proposal_records_the_tree_version_the_r_and_its_reasons(make_product, migration):
    product = make_product(languages=["SAS"])
    triage = propose_triage(actor=migration.people["requester"], product=product)
    assert (triage.proposed_r, triage.tree.number) == ("refactor", 1)
    assert triage.reasons[-1].startswith("Refactor the code")
    assert facts_of(product)["languages"] == ["sas"]


@pytest.mark.django_db
def test_publishing_supersedes_the_previous_version_and_a_published_one_is_frozen(migration, admin_user):
    v1 = DecisionTree.objects.get(number=1)
    draft = draft_tree_from(actor=admin_user, tree=v1)
    draft.definition["nodes"]["rehost"]["because"] = "Lift and shift."
    draft.save()
    publish_tree(actor=admin_user, tree=draft)
    v1.refresh_from_db()
    assert v1.status == "superseded" and DecisionTree.objects.get(pk=draft.pk).status == "published"
    with pytest.raises(ApplicationError):
        publish_tree(actor=admin_user, tree=v1)


def test_admin_tries_a_draft_on_the_products_before_publishing(client, migration, make_product, admin_user):
    make_product(name="sas-model", languages=["SAS"])
    make_product(name="py-model", languages=["Python"])
    draft = draft_tree_from(actor=admin_user, tree=DecisionTree.objects.get(number=1))
    draft.definition["nodes"]["refactor"] = {"r": "rehost", "because": "Rehost SAS as it is."}  # SAS: rehosted
    draft.save()
    client.force_login(admin_user)
    page = client.get(f"/admin/migration/decisiontree/{draft.pk}/change/").content.decode()
    assert "2 products tried; 1 answers differently from the published version." in page
    assert '<tr class="changed"><td>Churn modelling</td><td>sas-model</td><td>refactor</td><td><strong>rehost'\
        in page
    # A broken draft is refused when saved from the admin, with the problem named.
    response = client.post(f"/admin/migration/decisiontree/{draft.pk}/change/", {
        "number": draft.number, "note": "", "definition": '{"start": "x", "nodes": {"y": {"r": "rehost", '
                                                          '"because": "b"}}}'})
    assert response.status_code == 200 and "start: no node called “x”" in response.content.decode()
