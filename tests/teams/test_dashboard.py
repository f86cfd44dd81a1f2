"""The team dashboard: active resources, monthly cost, quota bars, repos behind their template."""

import pytest

from portal.inventory.services import record_resource
from portal.onboarding.models import OnboardingRequest
from portal.onboarding.services import submit_new_request
from portal.teams.models import Quota
from tests.fixtures.people import CPU_VM_VALUES

REPO_VALUES = {"name": "churn-model", "project_name": "Churn", "owner_email": "ana@example.org",
               "model_kind": "classifier", "ci_provider": "github", "python_version": "3.11",
               "retrain_schedule": "0 3 * * 1"}


@pytest.fixture
def active(demo):
    """An active request with a CPU VM and a repo scaffolded from v1 (the template has a v2 since)."""
    from portal.catalog.services import create_draft_from, publish_version

    team = demo.teams["churn-modelling"]
    items = [(demo.versions["cpu-vm"], CPU_VM_VALUES), (demo.versions["ml-repo"], REPO_VALUES)]
    request = submit_new_request(actor=demo.people["requester"], team=team, title="Starter", items=items)
    OnboardingRequest.objects.filter(pk=request.pk).update(status="active")
    vm, repo = request.items.order_by("position")
    record_resource(item=vm, outputs={"instance_id": "i-0abc", "private_ip": "10.0.0.5"})
    record_resource(item=repo, outputs={"clone_url": "file:///git/churn-model.git", "scaffold_version": "v1"})
    publish_version(version=create_draft_from(version=demo.versions["ml-repo"], actor=demo.people["admin"]),
                    actor=demo.people["admin"])
    Quota.objects.create(team=team, max_gpus=2, max_vms=1, max_monthly_usd=1000)
    return request


def test_members_see_resources_cost_quota_and_repos_behind(client, demo, active):
    client.force_login(demo.people["requester"])
    page = client.get("/teams/churn-modelling/").content.decode()
    assert 'data-resource="churn-vm"' in page and 'data-resource="churn-model"' in page
    assert 'id="team-monthly-cost">$63.94' in page  # t3.large all month + 40 GB (the repo costs nothing)
    assert 'data-quota="Virtual machines"' in page and "1 of 1" in page and "meter full" in page
    assert "churn-model</strong> was scaffolded from v1" in page and "newest template is v2" in page
    assert f'href="/requests/{active.pk}/"' in page


@pytest.mark.parametrize(("who", "status"), [("requester", 200), ("admin", 200), ("approver", 404),
                                             ("anonymous", 302)])
def test_who_may_see_a_team_dashboard(client, demo, who, status):
    if who != "anonymous":
        client.force_login(demo.people[who])
    assert client.get("/teams/churn-modelling/").status_code == status
    assert client.get("/teams/no-such-team/").status_code in (404, 302)


def test_an_empty_team_says_how_to_start(client, demo):
    client.force_login(demo.people["requester"])
    page = client.get("/teams/churn-modelling/").content.decode()
    assert "Nothing active yet" in page and "has no quota" in page


def test_the_navigation_links_the_members_team(client, demo):
    client.force_login(demo.people["requester"])
    assert 'href="/teams/churn-modelling/"' in client.get("/catalog/").content.decode()


def test_the_dashboard_costs_the_same_queries_for_three_machines_or_twelve(client, demo, django_assert_max_num_queries):
    """No query per row: drift runs, use and permissions are read once for the page (N+1 made it crawl)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    team = demo.teams["churn-modelling"]

    def add_vms(count: int, start: int) -> None:
        items = [(demo.versions["cpu-vm"], {**CPU_VM_VALUES, "name": f"vm-{start + n}"}) for n in range(count)]
        request = submit_new_request(actor=demo.people["requester"], team=team, title=f"VMs {start}", items=items)
        OnboardingRequest.objects.filter(pk=request.pk).update(status="active")
        for n, item in enumerate(request.items.order_by("position")):
            record_resource(item=item, outputs={"instance_id": f"i-{start + n:04d}", "private_ip": "10.0.0.5"})

    client.force_login(demo.people["requester"])
    add_vms(3, 0)
    with CaptureQueriesContext(connection) as few:
        assert client.get("/teams/churn-modelling/").status_code == 200
    add_vms(9, 100)
    with CaptureQueriesContext(connection) as many:
        page = client.get("/teams/churn-modelling/")
    assert page.status_code == 200 and "vm-108" in page.content.decode()
    assert len(many) <= len(few) + 2, [q["sql"][:120] for q in many.captured_queries[len(few.captured_queries):]]


VM_OUTPUTS = {"instance_id": "i-0123456789abcdef0", "private_ip": "10.0.0.5", "region": "us-east-1",
              "instance_state": "running", "notebook_port": 8888, "team_role_arn": ""}


def test_how_to_connect_on_the_dashboard_and_the_request_page(client, demo, active, settings):
    """The dashboard shows the first command with a copy button and links the request page, which shows
    every step (the notebook's port forward and URL) and how to get access when nobody was granted any."""
    from portal.onboarding.models import RequestItem
    from provisioning.models import RunStatus
    from tests.fixtures.runs import make_run

    settings.PORTAL_CLOUD = "aws"
    vm = active.items.get(template_version__template__slug="cpu-vm")
    record_resource(item=vm, outputs=VM_OUTPUTS)
    RequestItem.objects.filter(pk=vm.pk).update(status="active")
    make_run(item=vm, action="apply", status=RunStatus.SUCCEEDED, outputs=VM_OUTPUTS)
    session = "aws ssm start-session --target i-0123456789abcdef0 --region us-east-1"
    client.force_login(demo.people["requester"])

    page = client.get("/teams/churn-modelling/").content.decode()
    assert "<th>How to connect</th>" in page
    cell = page.split('data-connect="churn-vm"', 1)[1].split("</td>", 1)[0]
    assert f'<code class="command">{session}</code>' in cell and f'data-copy="{session}"' in cell
    assert f'href="/requests/{active.pk}/#connect-{vm.pk}"' in cell
    repo_cell = page.split('data-connect="churn-model"', 1)[1].split("</td>", 1)[0]
    assert "git clone file:///git/churn-model.git" in repo_cell

    detail = client.get(f"/requests/{active.pk}/").content.decode()
    block = detail.split(f'id="connect-{vm.pk}"', 1)[1].split("</div>\n  \n", 1)[0]
    assert "How to connect" in block and f'data-copy="{session}"' in block
    assert "--document-name AWS-StartPortForwardingSession --parameters portNumber=8888,localPortNumber=8888" in block
    assert 'href="http://localhost:8888/"' in block
    assert "request a directory group for the team" in block  # nobody granted: how to get access
