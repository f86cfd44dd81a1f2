"""Catalog and requests through the `portal` command, against the real portal (endpoints of issue 14,
branch api-requests): typed --set values, --dry-run, --file, idempotency, lists, show, withdraw."""

from __future__ import annotations

import json
import socket
import threading

import pytest

from portal.onboarding.models import OnboardingRequest
from tests.fixtures.cli import token_of
from tests.fixtures.people import CPU_VM_VALUES, REVIEW_DETAILS

pytestmark = pytest.mark.django_db(transaction=True)

DETAILS = ["--classification", "internal", "--justification", "feature engineering for churn",
           "--cost-centre", "CC-1042", "--duration-days", "90"]
REVIEW = {**REVIEW_DETAILS, "expected_duration_days": 90}


def vm_args(title="Feature VM", *, name="feat-vm", disk="40", **more) -> list[str]:
    sets = {"name": name, "instance_type": "t3.xlarge", "disk_size_gb": disk, "purpose": "feature work", **more}
    return ["request", "create", "cpu-vm", "--team", "churn-modelling", "--title", title,
            *[arg for key, value in sets.items() for arg in ("--set", f"{key}={value}")], *DETAILS]


@pytest.fixture
def requester(mlops_only):
    return token_of(mlops_only.people["requester"], scopes=["read", "request"])


def submitted(demo, title="Submitted VM", name="sub-vm"):
    from portal.onboarding.services.requests import submit_new_request

    return submit_new_request(actor=demo.people["requester"], team=demo.teams["churn-modelling"], title=title,
                              items=[(demo.versions["cpu-vm"], {**CPU_VM_VALUES, "name": name})],
                              details=REVIEW)


# -- catalog ---------------------------------------------------------------------------------------------
def test_catalog_lists_the_templates_and_shows_what_one_asks_for(cli, requester):
    listed = cli("catalog", token=requester)
    shown = cli("catalog", "show", "cpu-vm", token=requester)
    as_json = cli.json("catalog", "show", "cpu-vm", token=requester)

    assert listed.exit_code == 0, listed.output
    assert "cpu-vm" in listed.stdout and "CPU virtual machine" in listed.stdout and "gpu-vm" in listed.stdout
    assert shown.exit_code == 0, shown.output
    disk = next(line for line in shown.stdout.splitlines() if "disk_size_gb" in line)
    assert "integer" in disk and "20–2000" in disk and "yes" in disk  # type, range, required
    instance = next(line for line in shown.stdout.splitlines() if "instance_type" in line)
    assert "t3.large" in instance and "m5.xlarge" in instance
    assert as_json["slug"] == "cpu-vm" and as_json["version"]["parameter_schema"]["type"] == "object"


def test_an_unknown_template_exits_4(cli, requester):
    result = cli("catalog", "show", "no-such-template", token=requester)

    assert result.exit_code == 4
    assert "Error:" in result.stderr and "Traceback" not in result.output


# -- create ----------------------------------------------------------------------------------------------
def test_create_types_the_values_as_the_template_says_and_submits(cli, requester):
    result = cli(*vm_args(), token=requester)

    assert result.exit_code == 0, result.output
    created = OnboardingRequest.objects.get()
    assert f"Request #{created.pk} “Feature VM” created: in_review." in result.stdout
    assert "Waiting for: mlops-enablement." in result.stdout
    assert f"portal request watch {created.pk}" in result.stdout
    values = created.items.get().values
    assert values["disk_size_gb"] == 40 and isinstance(values["disk_size_gb"], int)  # "40" sent as a number
    assert values["instance_type"] == "t3.xlarge" and values["name"] == "feat-vm"
    assert created.data_classification == "internal"


def test_a_value_of_the_wrong_type_is_a_usage_error_before_anything_is_sent(cli, requester):
    result = cli(*vm_args(disk="forty"), token=requester)

    assert result.exit_code == 2
    assert "disk_size_gb='forty'" in result.stderr and "whole number" in result.stderr
    assert not OnboardingRequest.objects.exists()


def test_dry_run_shows_the_estimate_and_the_stages_and_saves_nothing(cli, requester):
    result = cli(*vm_args(), "--dry-run", token=requester)

    assert result.exit_code == 0, result.output
    assert "Valid: the request can be submitted." in result.stdout
    assert "Estimate:" in result.stdout and "USD per month" in result.stdout
    assert "Approval stages:" in result.stdout and "mlops-enablement" in result.stdout
    assert not OnboardingRequest.objects.exists()


def test_dry_run_of_bad_values_prints_each_pointer_and_exits_1(cli, requester):
    result = cli(*vm_args(disk="5", name="Bad Name!"), "--dry-run", token=requester)

    assert result.exit_code == 1, result.output
    assert "Not valid" in result.stdout
    assert "/values/disk_size_gb:" in result.stdout
    assert "/values/name:" in result.stdout
    assert not OnboardingRequest.objects.exists()


def test_a_refused_create_prints_the_problem_and_its_pointers(cli, requester):
    result = cli(*vm_args(disk="5"), token=requester)

    assert result.exit_code == 1
    assert "Error:" in result.stderr
    assert "/values/disk_size_gb:" in result.stderr
    assert "Traceback" not in result.output
    assert not OnboardingRequest.objects.exists()


def test_a_read_only_token_may_not_create_and_exits_3(cli, mlops_only):
    token = token_of(mlops_only.people["requester"], scopes=["read"])

    result = cli(*vm_args(), token=token)

    assert result.exit_code == 3
    assert "request" in result.stderr and "scope" in result.stderr
    assert not OnboardingRequest.objects.exists()


def test_create_from_a_yaml_file_and_options_win_over_it(cli, requester, tmp_path):
    body = tmp_path / "request.yaml"
    body.write_text(
        "team: churn-modelling\ntitle: From the file\ntemplate: cpu-vm\n"
        "values:\n  name: file-vm\n  instance_type: t3.large\n  disk_size_gb: 30\n  purpose: from a file\n"
        "details:\n" + "".join(f"  {key}: {json.dumps(value)}\n" for key, value in REVIEW.items()))

    result = cli("request", "create", "--file", body, "--title", "Given on the line", "--set", "disk_size_gb=60",
                 token=requester)

    assert result.exit_code == 0, result.output
    created = OnboardingRequest.objects.get()
    assert created.title == "Given on the line"
    assert created.items.get().values == {"name": "file-vm", "instance_type": "t3.large", "disk_size_gb": 60,
                                          "purpose": "from a file"}


def test_a_file_that_is_not_json_is_a_usage_error(cli, requester, tmp_path):
    body = tmp_path / "request.json"
    body.write_text("{not json")

    result = cli("request", "create", "--file", body, token=requester)

    assert result.exit_code == 2 and "is not valid json" in result.stderr.lower()


def test_the_same_idempotency_key_never_makes_two_requests(cli, requester):
    first = cli(*vm_args(), "--idempotency-key", "deploy-42", token=requester)
    again = cli(*vm_args(), "--idempotency-key", "deploy-42", token=requester)
    other_body = cli(*vm_args(title="Something else"), "--idempotency-key", "deploy-42", token=requester)

    assert first.exit_code == 0 and again.exit_code == 0, again.output
    [created] = OnboardingRequest.objects.all()
    assert f"Request #{created.pk}" in first.stdout and f"Request #{created.pk}" in again.stdout
    assert other_body.exit_code == 1  # 409: the key was used with another body
    assert OnboardingRequest.objects.count() == 1


class LosesFirstAnswer:
    """A TCP relay to the portal that passes the first request on, then drops the connection as soon as the
    portal starts to answer (a response lost on the way back); later connections are relayed whole."""

    def __init__(self, host: str, port: int):
        self.target = (host, port)
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.connections = 0
        threading.Thread(target=self._serve, daemon=True).start()

    def _serve(self):
        while True:
            try:
                conn, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            threading.Thread(target=self._relay, args=(conn, self.connections == 1), daemon=True).start()

    def _relay(self, conn, lose_answer: bool):
        upstream = socket.create_connection(self.target)

        def pipe(source, sink):
            try:
                while data := source.recv(65536):
                    sink.sendall(data)
            except OSError:
                pass
            for end in (source, sink):
                end.close()

        threading.Thread(target=pipe, args=(conn, upstream), daemon=True).start()
        if lose_answer:
            upstream.recv(1)  # the portal has done the work and starts answering…
            conn.close()  # …and the answer is lost
            upstream.close()
        else:
            pipe(upstream, conn)

    def close(self):
        self.listener.close()


def test_a_create_whose_answer_is_lost_is_sent_again_and_makes_one_request(cli, requester, tmp_path):
    from urllib.parse import urlsplit

    body = tmp_path / "request.json"
    body.write_text(json.dumps({"team": "churn-modelling", "title": "Lost answer", "template": "cpu-vm",
                                "values": CPU_VM_VALUES, "details": REVIEW}))
    target = urlsplit(cli.url)
    relay = LosesFirstAnswer(target.hostname, target.port)
    try:
        result = cli("request", "create", "--file", body, url=f"http://127.0.0.1:{relay.port}", token=requester)
    finally:
        relay.close()

    assert relay.connections == 2  # the first answer was lost: the same call went again
    assert result.exit_code == 0, result.output
    [created] = OnboardingRequest.objects.all()
    assert f"Request #{created.pk} “Lost answer” created" in result.stdout


# -- list, show, withdraw ------------------------------------------------------------------------------------
def test_requests_lists_and_filters_newest_first_following_pages(cli, requester, mlops_only, monkeypatch):
    from portal.cli import client

    first, second, third = (submitted(mlops_only, f"VM {n}", f"vm-{n}") for n in (1, 2, 3))
    OnboardingRequest.objects.filter(pk=first.pk).update(status="withdrawn")
    monkeypatch.setattr(client, "PAGE_SIZE", 1)  # one per page: the command must follow `next`

    listed = cli("requests", token=requester)
    in_review = cli.json("requests", "--status", "in_review", token=requester)
    newest = cli.json("requests", "--limit", "1", token=requester)

    assert listed.exit_code == 0, listed.output
    rows = [[cell.strip() for cell in line.split("│")[1:-1]] for line in listed.stdout.splitlines()
            if line.startswith("│")]
    assert [(row[0], row[1], row[5]) for row in rows] == [
        (str(third.pk), "VM 3", "in_review"), (str(second.pk), "VM 2", "in_review"),
        (str(first.pk), "VM 1", "withdrawn")]
    assert [r["id"] for r in in_review] == [third.pk, second.pk]
    assert [r["id"] for r in newest] == [third.pk]


def test_request_show_gives_items_stages_and_an_unknown_one_exits_4(cli, requester, mlops_only):
    made = submitted(mlops_only, "Shown VM", "shown-vm")

    shown = cli("request", "show", made.pk, token=requester)
    data = cli.json("request", "show", made.pk, token=requester)
    missing = cli("request", "show", made.pk + 1000, token=requester)

    assert shown.exit_code == 0, shown.output
    assert f"#{made.pk} Shown VM" in shown.stdout and "in_review" in shown.stdout
    assert "cpu-vm" in shown.stdout and "name=shown-vm" in shown.stdout and "mlops-enablement" in shown.stdout
    assert data["id"] == made.pk and data["items"][0]["values"]["name"] == "shown-vm"
    assert missing.exit_code == 4 and "No such object" in missing.stderr


def test_withdraw_and_a_second_withdraw_is_refused(cli, requester, mlops_only):
    made = submitted(mlops_only)

    first = cli("request", "withdraw", made.pk, token=requester)
    second = cli("request", "withdraw", made.pk, token=requester)

    assert first.exit_code == 0, first.output
    assert f"Request #{made.pk} withdrawn: it is now withdrawn." in first.stdout
    made.refresh_from_db()
    assert made.status == "withdrawn"
    assert second.exit_code == 1 and "Error:" in second.stderr


def test_lists_and_booleans_are_typed_from_the_schema(cli, requester):
    result = cli("request", "create", "eks-cluster", "--team", "churn-modelling", "--title", "Cluster",
                 "--set", "name=feat-cluster", "--set", "cpu_instance_types=m5.xlarge,m5.2xlarge",
                 "--set", "cpu_min_size=1", "--set", "cpu_desired_size=2", "--set", "cpu_max_size=3",
                 "--set", "gpu_enabled=no", "--set", "node_disk_size_gb=50", "--set", "purpose=serving features",
                 *DETAILS, token=requester)
    json_list = cli("request", "create", "eks-cluster", "--team", "churn-modelling", "--title", "Cluster 2",
                    "--set", "name=feat-cluster-2", "--set", 'cpu_instance_types=["m6i.xlarge"]',
                    "--set", "cpu_min_size=1", "--set", "cpu_desired_size=1", "--set", "cpu_max_size=1",
                    "--set", "gpu_enabled=true", "--set", "gpu_instance_types=g5.xlarge", "--set", "gpu_min_size=0",
                    "--set", "gpu_desired_size=1", "--set", "gpu_max_size=1", "--set", "node_disk_size_gb=50",
                    "--set", "purpose=serving features", *DETAILS, token=requester)
    bad_bool = cli("request", "create", "eks-cluster", "--team", "churn-modelling", "--title", "Cluster 3",
                   "--set", "gpu_enabled=perhaps", token=requester)

    assert result.exit_code == 0, result.output
    assert json_list.exit_code == 0, json_list.output
    first, second = (r.items.get().values for r in OnboardingRequest.objects.order_by("pk"))
    assert first["cpu_instance_types"] == ["m5.xlarge", "m5.2xlarge"] and first["gpu_enabled"] is False
    assert first["cpu_desired_size"] == 2
    assert second["cpu_instance_types"] == ["m6i.xlarge"] and second["gpu_enabled"] is True
    assert second["gpu_instance_types"] == ["g5.xlarge"]
    assert bad_bool.exit_code == 2 and "true or false" in bad_bool.stderr
