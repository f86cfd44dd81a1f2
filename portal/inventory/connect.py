"""How to reach a resource: copyable commands built from its outputs, never from what a requester typed.

Every value that goes into a command is first checked against the shape its output must have (an
instance id, a region, a bucket name, a clone URL…) and then shell-quoted; an output that does not
fit gives no command. In the sandbox (``PORTAL_CLOUD = "sandbox"``) the AWS CLI commands carry the
sandbox's ``--endpoint-url`` so that they work against it as they are.
"""

from __future__ import annotations

import re
import shlex
from dataclasses import dataclass, field

from django.conf import settings

SHAPES = {
    "instance_id": re.compile(r"^i-[0-9a-f]{8,17}$"),
    "region": re.compile(r"^[a-z]{2}(-[a-z]+)+-[0-9]$"),
    "bucket_name": re.compile(r"^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"),
    "cluster_name": re.compile(r"^[A-Za-z][A-Za-z0-9-]{0,99}$"),
    "team_role_arn": re.compile(r"^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]{1,512}$"),
    "clone_url": re.compile(r"^(https://|http://(127\.0\.0\.1|localhost)(:[0-9]+)?/|file:///|git@)[A-Za-z0-9._~:/@+-]+$"),
    "project_name": re.compile(r"^[A-Za-z][A-Za-z0-9_-]{1,254}$"),
}
NO_TEAM_ROLE = ("Nobody in the team was granted access to it yet: request a directory group for the team "
                "(it makes the team's role), then ask for a change of this resource so the grant is applied.")


@dataclass(frozen=True)
class Step:
    label: str
    command: str = ""  # a shell command to copy
    url: str = ""  # or a URL to open


@dataclass(frozen=True)
class Connect:
    """What the request page and the dashboard show under "How to connect"."""

    steps: list[Step] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)

    @property
    def short(self) -> Step | None:
        """The one command the dashboard shows (the first)."""
        return self.steps[0] if self.steps else None


def _value(outputs: dict, name: str) -> str | None:
    value = outputs.get(name)
    if name == "notebook_port":
        return str(value) if isinstance(value, int) and not isinstance(value, bool) and 1024 <= value <= 65535 else None
    return value if isinstance(value, str) and SHAPES[name].match(value) else None


def _aws(*words: str) -> str:
    """An ``aws`` command line; every word is quoted, the sandbox's endpoint added when there is one."""
    endpoint = [] if getattr(settings, "PORTAL_CLOUD", "aws") != "sandbox" else [
        "--endpoint-url", settings.PORTAL_SANDBOX_URL]
    return shlex.join(["aws", *words, *endpoint])


def _role_note(outputs: dict, granted: str) -> list[str]:
    role = _value(outputs, "team_role_arn")
    if role is None:
        return [NO_TEAM_ROLE]
    return [f"{granted} the team's role {role}: assume it first (e.g. a profile with role_arn = {role})."]


def how_to_connect(kind: str, outputs: dict | None) -> Connect:
    outputs = outputs or {}
    builder = BUILDERS.get(kind)
    return builder(outputs) if builder else Connect()


def _vm(outputs: dict) -> Connect:
    instance, region = _value(outputs, "instance_id"), _value(outputs, "region")
    if instance is None or region is None:  # made before the module gave a way in
        return Connect(notes=["This machine was created without a way in; ask for a change to add one."])
    steps = [Step("Open a shell (AWS Systems Manager)", _aws("ssm", "start-session", "--target", instance,
                                                            "--region", region))]
    port = _value(outputs, "notebook_port")
    if port is not None:
        steps.append(Step("Forward the notebook to this computer", _aws(
            "ssm", "start-session", "--target", instance, "--region", region,
            "--document-name", "AWS-StartPortForwardingSession",
            "--parameters", f"portNumber={port},localPortNumber={port}")))
        steps.append(Step("Then open the notebook", url=f"http://localhost:{port}/"))
    notes = _role_note(outputs, "Sessions are granted to")
    if outputs.get("instance_state") == "stopped":
        notes.insert(0, "The machine is stopped: it must be running before a session can start.")
    return Connect(steps, notes)


def _bucket(outputs: dict) -> Connect:
    bucket = _value(outputs, "bucket_name")
    if bucket is None:
        return Connect()
    return Connect([Step("List it", _aws("s3", "ls", f"s3://{bucket}/")),
                    Step("Upload a folder", _aws("s3", "sync", "./data", f"s3://{bucket}/data/"))],
                   _role_note(outputs, "Read-write access is granted to"))


def _cluster(outputs: dict) -> Connect:
    name, region = _value(outputs, "cluster_name"), _value(outputs, "region")
    if name is None or region is None:
        return Connect()
    notes = _role_note(outputs, "An access entry (namespace admin) is granted to")
    if getattr(settings, "PORTAL_CLOUD", "aws") == "sandbox":
        notes = ["The sandbox has no Kubernetes API and no EKS access entries: the commands show the way on AWS."]
    return Connect([Step("Add it to your kubeconfig", _aws("eks", "update-kubeconfig", "--name", name,
                                                           "--region", region)),
                    Step("Then", "kubectl get nodes")], notes)


def _repo(outputs: dict) -> Connect:
    url = _value(outputs, "clone_url")
    return Connect([Step("Clone it", shlex.join(["git", "clone", url]))]) if url else Connect()


def _group(outputs: dict) -> Connect:
    role = _value(outputs, "team_role_arn")
    if role is None:
        return Connect(notes=["This group has no team role, so nothing can grant it access to buckets, "
                              "machines or clusters."])
    return Connect([Step("Act as the team", _aws("sts", "assume-role", "--role-arn", role,
                                                 "--role-session-name", "me"))],
                   ["Members get this role through the team's IAM Identity Center permission set; the team's "
                    "machines, buckets and clusters grant it."])


def _pipeline(outputs: dict) -> Connect:
    project = _value(outputs, "project_name")
    return Connect([Step("Start a build", _aws("codebuild", "start-build", "--project-name", project))]) \
        if project else Connect()


BUILDERS = {"cpu_vm": _vm, "gpu_vm": _vm, "storage": _bucket, "cluster": _cluster, "repo": _repo,
            "directory_group": _group, "ci_pipeline": _pipeline}
