import pytest

from portal.catalog.models import ResourceTemplate, TemplateVersion
from portal.onboarding.models import OnboardingRequest, RequestItem


@pytest.fixture
def in_process_worker(settings, sandbox_url, tmp_path):
    """Run the executor in the test process, with its files under tmp_path."""
    settings.PORTAL_SANDBOX_URL = sandbox_url
    settings.DATA_DIR = tmp_path
    settings.TERRAFORM_WORKSPACES_DIR = tmp_path / "workspaces"
    settings.TERRAFORM_STATE_BACKEND = "local"
    settings.PORTAL_GIT_ROOT = tmp_path / "git"
    settings.PORTAL_SCAFFOLD_CACHE = tmp_path / "scaffolds"
    return settings


@pytest.fixture
def make_item(demo):
    """``make_item(kind, engine, module, values)`` → a RequestItem of a fresh published version."""

    def make(kind: str, engine: str, module: str, values: dict, *, team=None):
        template = ResourceTemplate.objects.create(kind=kind, name=f"{kind} test", slug=f"{kind}-test")
        version = TemplateVersion.objects.create(
            template=template, number=1, engine=engine, module=module, status="published",
            parameter_schema={"type": "object", "properties": {}},
        )
        request = OnboardingRequest.objects.create(team=team or demo.teams["churn-modelling"],
                                                   requester=demo.people["requester"], title=f"{kind} request")
        return RequestItem.objects.create(request=request, template_version=version, values=values)

    return make
