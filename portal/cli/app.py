"""The ``portal`` command: log in with a personal access token, browse the catalog, request, approve,
watch provisioning, decommission and export the audit trail — all through the portal's API."""

from __future__ import annotations

import functools
import json
import time
import uuid
from datetime import date, datetime
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from . import config
from .client import AUTH, REFUSED, Client, PortalError
from .output import Output, show_error, text

EXIT_CODES = """Exit codes: 0 done · 1 refused or failed (invalid request, rejected, failed run) · 2 wrong usage ·
3 not logged in or not allowed (401/403) · 4 not found · 5 portal unreachable or broken."""

app = typer.Typer(
    name="portal",
    help="The self-service cloud portal from your terminal.\n\nStart with `portal login`, then `portal catalog`.\n\n"
         + EXIT_CODES,
    no_args_is_help=True,
    rich_markup_mode=None,
    pretty_exceptions_enable=False,
    add_completion=False,
)
catalog_app = typer.Typer(help="The templates you can request, and what each one asks for.", no_args_is_help=False,
                          rich_markup_mode=None)
request_app = typer.Typer(help="Create one request, see it, follow it, and act on it.", no_args_is_help=True,
                          rich_markup_mode=None)
audit_app = typer.Typer(help="The audit trail (platform admins and auditors).", no_args_is_help=True,
                        rich_markup_mode=None)
app.add_typer(catalog_app, name="catalog")
app.add_typer(request_app, name="request")
app.add_typer(audit_app, name="audit")

# Where `portal request watch` stops, and how it exits.
SUCCEEDED = {"active", "completed", "decommissioned"}
ENDED_BADLY = {"failed", "rejected", "withdrawn"}


class Format(StrEnum):
    table = "table"
    json = "json"


class State:
    def __init__(self, output: str = "table", url: str | None = None):
        self.out = Output(output)
        self.url = url

    def client(self) -> Client:
        settings = config.resolve(self.url)
        return Client(settings.url, settings.token)


@app.callback()
def main_options(
    ctx: typer.Context,
    output: Annotated[Format, typer.Option("--output", "-o", case_sensitive=False,
                                           help="table (for people) or json (the API's JSON).")] = Format.table,
    url: Annotated[str | None, typer.Option("--url", help="The portal's URL for this call (else PORTAL_URL, "
                                            "else the one `portal login` stored).", show_default=False)] = None,
) -> None:
    ctx.obj = State(output.value, url)


def state(ctx: typer.Context) -> State:
    obj = ctx.find_root().obj
    return obj if isinstance(obj, State) else State()


def handled(fn):
    """A refusal of the portal is printed (detail, each pointer's message) and becomes the exit code."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except PortalError as error:
            show_error(error)
            raise typer.Exit(error.exit_code)

    return wrapper


def ref(value: Any) -> str:
    """A team, person or template as the API gives it (a slug, or an object with one)."""
    if isinstance(value, dict):
        for key in ("slug", "username", "name", "id"):
            if value.get(key) not in (None, ""):
                return str(value[key])
    return text(value)


def money(value: Any, currency: str | None = None) -> str:
    if value in (None, ""):
        return "–"
    return f"{value} {currency}".strip() if currency else str(value)


# ---------------------------------------------------------------------------------------------- login


@app.command()
@handled
def login(
    ctx: typer.Context,
    url: Annotated[str | None, typer.Option("--url", help="The portal's URL, e.g. https://portal.example.org "
                                            "(asked if none is known).", show_default=False)] = None,
    token: Annotated[str | None, typer.Option("--token", help="A personal access token (pat_…) of yours; "
                                              "asked (hidden) if not given.",
                                              show_default=False)] = None,
) -> None:
    """Check a personal access token with the portal and store it (with the URL) for the next commands.

    The token is kept in your config directory in a file only you can read (0600)."""
    out = state(ctx).out
    url = url or state(ctx).url or _env("PORTAL_URL") or config.load().get("url")
    if not url:
        url = typer.prompt("Portal URL", default=config.DEFAULT_URL)
    url = config.normalise_url(url)
    if not token:
        token = typer.prompt("Personal access token", hide_input=True).strip()
    with Client(url, token) as client:
        try:
            me = client.get("me")
        except PortalError as error:
            if error.exit_code == AUTH:
                error.message = f"The portal at {url} refused this token: {error.message}"
                error.hint = ("Make a new personal access token on the portal (your name → Access tokens, "
                              "/account/tokens/) and run `portal login` again.")
            raise
    path = config.save(url=url, token=token)
    if out.json:
        out.data(me)
        return
    out.say(f"Logged in to {url} as {me.get('username')}"
            + (f" with the token “{me['token']}” ({', '.join(me.get('scopes') or [])})." if me.get("token") else "."))
    out.say(f"The token is stored in {path} (readable by you alone).")


def _env(name: str) -> str | None:
    import os

    return os.environ.get(name) or None


@app.command()
@handled
def logout(ctx: typer.Context) -> None:
    """Forget the stored token (it stays valid on the portal until it expires or you revoke it there)."""
    out = state(ctx).out
    removed = config.forget_token()
    out.say("Logged out: the stored token is removed." if removed else "No token was stored.")
    out.say("The token itself still works until it expires: revoke it on the portal if it leaked.")
    if _env("PORTAL_TOKEN"):
        out.say("PORTAL_TOKEN is set in your environment: commands still use it.")


@app.command()
@handled
def whoami(ctx: typer.Context) -> None:
    """Who the portal sees: your user, teams, and the token's name and scopes."""
    st = state(ctx)
    settings = config.resolve(st.url)
    with st.client() as client:
        me = client.get("me")
    if st.out.as_json(me):
        return
    st.out.fields([
        ("User", me.get("username")), ("Name", me.get("name")), ("E-mail", me.get("email")),
        ("Teams", ", ".join(ref(t) for t in me.get("teams") or []) or "–"),
        ("Platform admin", bool(me.get("platform_admin"))),
        ("Token", me.get("token")), ("Scopes", me.get("scopes")),
        ("Portal", f"{settings.url} (from {settings.url_from})"),
    ])


# -------------------------------------------------------------------------------------------- catalog


@catalog_app.callback(invoke_without_command=True)
@handled
def catalog(ctx: typer.Context) -> None:
    """List the templates you can request (`portal catalog show SLUG` for one)."""
    if ctx.invoked_subcommand is not None:
        return
    st = state(ctx)
    with st.client() as client:
        templates = client.get("catalog/templates")
    templates = templates.get("results", templates) if isinstance(templates, dict) else templates
    st.out.table(templates, [
        ("Template", "slug"), ("Name", "name"), ("Kind", "kind"),
        ("Version", lambda t: (t.get("version") or {}).get("number")), ("Description", "description"),
    ], empty="No template is published yet.")


@catalog_app.command("show")
@handled
def catalog_show(ctx: typer.Context,
                 template: Annotated[str, typer.Argument(help="The template's slug, e.g. cpu-vm.")]) -> None:
    """One template: its parameters (type, allowed values, default) — what `--set key=value` accepts."""
    st = state(ctx)
    with st.client() as client:
        found = client.get(f"catalog/templates/{template}")
    if st.out.as_json(found):
        return
    version = found.get("version") or {}
    st.out.fields([("Template", found.get("slug")), ("Name", found.get("name")), ("Kind", found.get("kind")),
                   ("Version", version.get("number")), ("Description", found.get("description"))])
    schema = version.get("parameter_schema") or {}
    defaults = version.get("defaults") or {}
    required = set(schema.get("required") or [])
    properties = schema.get("properties") or {}
    order = schema.get("x-order") or list(properties)
    rows = []
    for name in [*order, *(p for p in properties if p not in order)]:
        prop = properties.get(name)
        if prop is None:
            continue
        rows.append({"name": name, "type": _type_of(prop), "required": name in required,
                     "default": defaults.get(name, prop.get("default")), "allowed": _allowed(prop),
                     "title": prop.get("title") or prop.get("description")})
    st.out.say("")
    st.out.table(rows, [("Parameter", "name"), ("Type", "type"), ("Required", "required"), ("Default", "default"),
                        ("Allowed", "allowed"), ("What", "title")], empty="This template asks for nothing.")


def _type_of(prop: dict) -> str:
    kind = prop.get("type", "string")
    if kind == "array":
        return f"list of {(prop.get('items') or {}).get('type', 'string')}"
    return kind if isinstance(kind, str) else "/".join(kind)


def _allowed(prop: dict) -> str | None:
    items = prop.get("items") or {}
    if "enum" in prop or "enum" in items:
        return ", ".join(str(v) for v in prop.get("enum") or items.get("enum"))
    low, high = prop.get("minimum"), prop.get("maximum")
    if low is not None or high is not None:
        return f"{'' if low is None else low}–{'' if high is None else high}"
    if prop.get("pattern"):
        return f"matches {prop['pattern']}"
    return None


# ------------------------------------------------------------------------------------------- requests


def parse_value(key: str, raw: str, prop: dict | None) -> Any:
    """A ``--set`` value typed as the template's schema says (integer, number, boolean, list, object)."""
    kind = (prop or {}).get("type", "string")
    kinds = kind if isinstance(kind, list) else [kind]
    try:
        if "integer" in kinds:
            return int(raw)
        if "number" in kinds:
            number = float(raw)
            return int(number) if number.is_integer() and "." not in raw else number
        if "boolean" in kinds:
            lowered = raw.strip().lower()
            if lowered in ("true", "yes", "y", "1", "on"):
                return True
            if lowered in ("false", "no", "n", "0", "off"):
                return False
            raise ValueError
        if "array" in kinds:
            if raw.strip().startswith("["):
                value = json.loads(raw)
                if not isinstance(value, list):
                    raise ValueError
            else:
                value = [part.strip() for part in raw.split(",") if part.strip()]
            items = (prop or {}).get("items") or {}
            return [parse_value(key, v, items) if isinstance(v, str) else v for v in value]
        if "object" in kinds:
            value = json.loads(raw)
            if not isinstance(value, dict):
                raise ValueError
            return value
    except ValueError:
        wanted = {"integer": "a whole number", "number": "a number", "boolean": "true or false",
                  "array": "a list (a,b or a JSON list)", "object": "a JSON object"}
        raise typer.BadParameter(f"{key}={raw!r}: the template wants {wanted.get(kinds[0], kinds[0])} here.",
                                 param_hint="--set")
    return raw


def pairs(options: list[str] | None, name: str) -> list[tuple[str, str]]:
    found = []
    for option in options or []:
        key, sep, value = option.partition("=")
        if not sep or not key.strip():
            raise typer.BadParameter(f"{option!r} is not key=value.", param_hint=name)
        found.append((key.strip(), value))
    return found


def read_body(path: Path) -> dict:
    try:
        content = path.read_text()
    except OSError as exc:
        raise typer.BadParameter(f"cannot read {path}: {exc.strerror}", param_hint="--file")
    try:
        if path.suffix.lower() in (".yaml", ".yml"):
            import yaml

            body = yaml.safe_load(content)
        else:
            body = json.loads(content)
    except ImportError:
        raise typer.BadParameter("reading YAML needs PyYAML (pip install pyyaml); or give a .json file.",
                                 param_hint="--file")
    except Exception as exc:  # noqa: BLE001 - a syntax error of either format: said, never a traceback
        raise typer.BadParameter(f"{path} is not valid {path.suffix.lstrip('.') or 'JSON'}: {exc}",
                                 param_hint="--file")
    if not isinstance(body, dict):
        raise typer.BadParameter(f"{path} must hold one object (team, title, template, values…).",
                                 param_hint="--file")
    return body


@request_app.command("create")
@handled
def request_create(
    ctx: typer.Context,
    template: Annotated[str | None, typer.Argument(
        metavar="TEMPLATE", help="The template's slug (see `portal catalog`); or give it in --file.",
        show_default=False)] = None,
    team: Annotated[str | None, typer.Option("--team", "-t", metavar="TEAM", help="Your team's slug.",
                                             show_default=False)] = None,
    title: Annotated[str | None, typer.Option("--title", help="What the request is for, in a few words.",
                                              show_default=False)] = None,
    set_: Annotated[list[str] | None, typer.Option(
        "--set", "-s", metavar="KEY=VALUE", show_default=False,
        help="A parameter (repeatable), typed as the template says: 40, true, a,b or [\"a\",\"b\"].")] = None,
    classification: Annotated[str | None, typer.Option(
        "--classification", help="The data it holds: public, internal, confidential or restricted.",
        show_default=False)] = None,
    justification: Annotated[str | None, typer.Option("--justification", help="Why the team needs it (for the "
                                                      "approvers).", show_default=False)] = None,
    cost_centre: Annotated[str | None, typer.Option("--cost-centre", help="Who pays, e.g. CC-4711.",
                                                    show_default=False)] = None,
    duration_days: Annotated[int | None, typer.Option("--duration-days", min=1, help="How many days it is needed.",
                                                      show_default=False)] = None,
    file: Annotated[Path | None, typer.Option("--file", "-f", help="The whole request as JSON or YAML (team, title, "
                                              "template and values, or items, or bundle; details). Options win "
                                              "over the file.", show_default=False)] = None,
    dry_run: Annotated[bool, typer.Option("--dry-run", help="Check it, show the estimate and the approval stages; "
                                          "create nothing. Exit 1 if it is not valid.")] = False,
    idempotency_key: Annotated[str | None, typer.Option(
        "--idempotency-key", help="Sent as Idempotency-Key: the same key and body never make two requests. "
        "Default: a new one per run of the command.", show_default=False)] = None,
) -> None:
    """Create a request (or check it with --dry-run).

    Example: portal request create cpu-vm --team churn-modelling --title "Feature VM" --set name=feat-vm
    --set instance_type=t3.large --set disk_size_gb=40 --set purpose="features" --classification internal
    --justification "feature engineering" --cost-centre CC-1042 --duration-days 90"""
    st = state(ctx)
    body = read_body(file) if file else {}
    if team:
        body["team"] = team
    if title:
        body["title"] = title
    if template:
        body["template"] = template
    details = dict(body.get("details") or {})
    given = {"data_classification": classification, "business_justification": justification,
             "cost_centre": cost_centre, "expected_duration_days": duration_days}
    details.update({key: value for key, value in given.items() if value is not None})
    if details:
        body["details"] = details
    settings = pairs(set_, "--set")
    missing = [name for name, key in (("--team", "team"), ("--title", "title")) if not body.get(key)]
    if missing:
        raise typer.BadParameter(f"give {' and '.join(missing)} (or put them in --file).")
    if not any(body.get(k) for k in ("template", "items", "bundle")):
        raise typer.BadParameter("give the TEMPLATE (see `portal catalog`), or items/bundle in --file.")
    if settings and not body.get("template"):
        raise typer.BadParameter("--set needs a TEMPLATE; for several items put their values in --file.")
    key = idempotency_key or str(uuid.uuid4())  # one per invocation: a call sent again is the same request
    if len(key) > 100:
        raise typer.BadParameter("at most 100 characters.", param_hint="--idempotency-key")
    with st.client() as client:
        if settings:
            found = client.get(f"catalog/templates/{body['template']}")
            properties = ((found.get("version") or {}).get("parameter_schema") or {}).get("properties") or {}
            values = dict(body.get("values") or {})
            for name, raw in settings:
                values[name] = parse_value(name, raw, properties.get(name))
            body["values"] = values
        if dry_run:
            answer = client.post("requests/validate", body)
            show_validation(st.out, answer)
            raise typer.Exit(0 if answer.get("valid") else REFUSED)
        created = client.post("requests", body, headers={"Idempotency-Key": key})
    if st.out.as_json(created):
        return
    st.out.say(f"Request #{created.get('id')} “{created.get('title')}” created: {created.get('status')}.")
    pending = created.get("pending_stages") or [ref(s.get("team")) for s in created.get("stages") or []
                                                if s.get("status") == "pending"]
    if pending:
        st.out.say(f"Waiting for: {', '.join(ref(p) for p in pending)}.")
    st.out.say(f"Follow it with: portal request watch {created.get('id')}")


def show_validation(out: Output, answer: dict) -> None:
    if out.json:
        out.data(answer)
        return
    valid = bool(answer.get("valid"))
    out.say("Valid: the request can be submitted." if valid else "Not valid: the portal would refuse it.")
    for problem in answer.get("errors") or []:
        out.say(f"  {problem.get('pointer') or '/'}: {problem.get('detail')}")
    estimate = answer.get("estimate") or {}
    if estimate:
        out.say(f"Estimate: {money(estimate.get('monthly_total'), estimate.get('currency'))} per month")
        for line in estimate.get("lines") or []:
            if isinstance(line, dict):
                label = line.get("label") or line.get("title") or line.get("template") or line.get("item")
                amount = line.get("monthly") or line.get("amount") or line.get("monthly_total") or line.get("cost")
                out.say(f"  {text(label)}: {text(amount)}")
    stages = answer.get("stages") or []
    if stages:
        out.say("Approval stages:")
        for stage in stages:
            why = stage.get("why") or stage.get("title") or stage.get("reason") or ""
            out.say(f"  {ref(stage.get('team'))}" + (f": {why}" if why else ""))
    quota = answer.get("quota")
    if quota:
        out.say(f"Quota: {text(quota)}")


@app.command("requests")
@handled
def requests_list(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option("--team", "-t", help="A team's slug.", show_default=False)] = None,
    status: Annotated[str | None, typer.Option("--status", help="e.g. in_review, active, failed.",
                                               show_default=False)] = None,
    kind: Annotated[str | None, typer.Option("--kind", help="e.g. new, change.", show_default=False)] = None,
    template: Annotated[str | None, typer.Option("--template", help="A template's slug.", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many (newest first).")] = 50,
) -> None:
    """The requests you may see, newest first."""
    st = state(ctx)
    with st.client() as client:
        rows = list(client.pages("requests", limit=limit, team=team, status=status, kind=kind, template=template))
    st.out.table(rows, [
        ("#", "id"), ("Title", "title"), ("Team", lambda r: ref(r.get("team"))),
        ("Requester", lambda r: ref(r.get("requester"))), ("Kind", "kind"), ("Status", "status"),
        ("Created", lambda r: _day(r.get("created_at"))), ("USD/month", "estimated_monthly_cost"),
        ("Waiting for", lambda r: ", ".join(ref(p) for p in r.get("pending_stages") or [])),
    ], empty="No request matches.")


def _day(value: Any) -> str:
    return str(value)[:16].replace("T", " ") if value else "–"


@request_app.command("show")
@handled
def request_show(ctx: typer.Context, request_id: Annotated[int, typer.Argument(metavar="N",
                                                                               help="The request's number.")]) -> None:
    """One request: its details, items, approval stages and runs."""
    st = state(ctx)
    with st.client() as client:
        found = client.get(f"requests/{request_id}")
    if st.out.as_json(found):
        return
    show_request(st.out, found)


def show_request(out: Output, found: dict) -> None:
    out.fields([
        ("Request", f"#{found.get('id')} {found.get('title')}"), ("Status", found.get("status")),
        ("Team", ref(found.get("team"))), ("Requester", ref(found.get("requester"))), ("Kind", found.get("kind")),
        ("Created", _day(found.get("created_at"))), ("Estimate", found.get("estimated_monthly_cost")),
        ("Details", found.get("details")),
    ])
    out.table(found.get("items") or [], [
        ("Item", "id"), ("Template", lambda i: ref(i.get("template"))), ("Status", "status"),
        ("Values", "values"), ("Outputs", "outputs"), ("Resource", "resource_id"),
    ], title="Items", empty="No item.")
    out.table(found.get("stages") or [], [
        ("Stage", "id"), ("Team", lambda s: ref(s.get("team"))), ("Status", "status"), ("Round", "round"),
        ("Decisions", lambda s: "; ".join(
            f"{ref(d.get('actor'))} {d.get('outcome')}" + (f" ({d['comment']})" if d.get("comment") else "")
            for d in s.get("decisions") or [])),
    ], title="Approval stages", empty="No approval stage.")
    out.table(found.get("runs") or [], [
        ("Run", "id"), ("Item", "item"), ("Action", "action"), ("Status", "status"), ("Attempt", "attempt"),
        ("Started", lambda r: _day(r.get("started_at"))), ("Error", "error"),
    ], title="Runs", empty="No run yet.")


@request_app.command("watch")
@handled
def request_watch(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(metavar="N", help="The request's number.")],
    timeout: Annotated[float, typer.Option("--timeout", min=0, help="Give up after this many seconds "
                                           "(exit 1; the request goes on).")] = 3600,
    interval: Annotated[float, typer.Option("--interval", min=0.1, help="Seconds between two looks.")] = 2.0,
) -> None:
    """Follow a request live: its status, stage decisions and the newest run's log, until it is active,
    completed or decommissioned (exit 0), or failed, rejected or withdrawn (exit 1)."""
    st = state(ctx)
    out = st.out
    watcher = Watcher(out)
    deadline = time.monotonic() + timeout
    with st.client() as client:
        status_line = out.console.status("Waiting…") if not out.json else None
        if status_line is not None:
            status_line.start()
        try:
            while True:
                found = client.get(f"requests/{request_id}")
                watcher.request(found)
                watcher.log(client, found)
                status = found.get("status")
                if status in SUCCEEDED or status in ENDED_BADLY:
                    break
                if time.monotonic() >= deadline:
                    if status_line is not None:
                        status_line.stop()
                    show_error(PortalError(f"Request #{request_id} is still {status} after {timeout:g} seconds; "
                                           f"it goes on. Watch again with `portal request watch {request_id}`."))
                    raise typer.Exit(REFUSED)
                if status_line is not None:
                    status_line.update(f"Request #{request_id}: {status}{watcher.waiting_for(found)} …")
                time.sleep(interval)
        except KeyboardInterrupt:
            if status_line is not None:
                status_line.stop()
            out.say(f"Stopped watching; request #{request_id} goes on (`portal request watch {request_id}`).")
            raise typer.Exit(130)
        finally:
            if status_line is not None:
                status_line.stop()
    if out.json:
        out.data(found)
    else:
        out.say(f"Request #{request_id} is {status}.")
        if status in ENDED_BADLY and found.get("runs"):
            failed = [r for r in found["runs"] if r.get("status") == "failed" and r.get("error")]
            if failed:
                out.say(f"Error: {failed[-1]['error']}")
                out.say(f"You may retry it with `portal request retry {request_id}`.")
    raise typer.Exit(0 if status in SUCCEEDED else REFUSED)


class Watcher:
    """What `watch` has already shown: the status, each stage's status, the newest run and its last log line."""

    def __init__(self, out: Output):
        self.out = out
        self.status: str | None = None
        self.stages: dict[Any, str] = {}
        self.runs: dict[Any, str] = {}
        self.after: dict[Any, int] = {}

    def request(self, found: dict) -> None:
        status = found.get("status")
        if status != self.status:
            self.out.say(f"Request #{found.get('id')}: {status}")
            self.status = status
        for stage in found.get("stages") or []:
            key = stage.get("id")
            shown = f"{stage.get('status')} (round {stage.get('round')})"
            if self.stages.get(key) != shown:
                self.stages[key] = shown
                decisions = stage.get("decisions") or []
                last = decisions[-1] if decisions else None
                by = (f" by {ref(last.get('actor'))}" + (f": {last['comment']}" if last.get("comment") else "")
                      if last and stage.get("status") != "pending" else "")
                self.out.say(f"  Stage {ref(stage.get('team'))}: {shown}{by}")

    def waiting_for(self, found: dict) -> str:
        pending = [ref(s.get("team")) for s in found.get("stages") or [] if s.get("status") == "pending"]
        return f", waiting for {', '.join(pending)}" if pending else ""

    def log(self, client: Client, found: dict) -> None:
        runs = sorted(found.get("runs") or [], key=lambda r: r.get("id") or 0)
        for run in runs:
            key = run.get("id")
            label = f"  Run #{key} ({run.get('action')}, item {run.get('item')}): {run.get('status')}"
            if self.runs.get(key) != run.get("status"):
                self.runs[key] = run.get("status")
                self.out.say(label)
        if not runs:
            return
        newest = runs[-1]["id"]
        while True:
            page = client.get(f"runs/{newest}/log", after=self.after.get(newest, 0))
            lines = page.get("lines") or []
            for line in lines:
                self.out.say(f"    {line.get('text', '')}")
            self.after[newest] = page.get("next_after") or self.after.get(newest, 0)
            if not lines:
                return


def _act(ctx: typer.Context, request_id: int, action: str, past: str) -> None:
    st = state(ctx)
    with st.client() as client:
        found = client.post(f"requests/{request_id}/{action}")
    if st.out.as_json(found):
        return
    st.out.say(f"Request #{request_id} {past}: it is now {found.get('status')}.")


N_ARGUMENT = typer.Argument(metavar="N", help="The request's number.")


@request_app.command("withdraw")
@handled
def request_withdraw(ctx: typer.Context, request_id: Annotated[int, N_ARGUMENT]) -> None:
    """Take back your request before it is decided."""
    _act(ctx, request_id, "withdraw", "withdrawn")


@request_app.command("retry")
@handled
def request_retry(ctx: typer.Context, request_id: Annotated[int, N_ARGUMENT]) -> None:
    """Run the failed items of a request again."""
    _act(ctx, request_id, "retry", "retried")


@request_app.command("cancel")
@handled
def request_cancel(ctx: typer.Context, request_id: Annotated[int, N_ARGUMENT]) -> None:
    """Stop the provisioning runs of a request."""
    _act(ctx, request_id, "cancel", "cancelled")


# ------------------------------------------------------------------------------------------ approvals


@app.command()
@handled
def approvals(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option("--team", "-t", help="A steering team's slug.",
                                             show_default=False)] = None,
    risk: Annotated[str | None, typer.Option("--risk", help="Only this risk level.", show_default=False)] = None,
    overdue: Annotated[bool, typer.Option("--overdue", help="Only stages past their due date.")] = False,
    sort: Annotated[str | None, typer.Option("--sort", help="As on the queue page, e.g. due or cost.",
                                             show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 100,
) -> None:
    """The approval stages waiting for you (`portal approve STAGE_ID` to decide one)."""
    st = state(ctx)
    with st.client() as client:
        rows = list(client.pages("approvals", limit=limit, team=team, risk=risk, overdue="true" if overdue else None,
                                 sort=sort))
    st.out.table(rows, [
        ("Stage", "id"), ("Request", lambda s: f"#{(s.get('request') or {}).get('id')} "
                                                f"{(s.get('request') or {}).get('title')}"),
        ("Team", lambda s: ref((s.get("request") or {}).get("team"))),
        ("Requester", lambda s: ref((s.get("request") or {}).get("requester"))),
        ("USD/month", lambda s: (s.get("request") or {}).get("estimated_monthly_cost")),
        ("Steering", lambda s: ref(s.get("team"))), ("Round", "round"), ("Due", lambda s: _day(s.get("due_at"))),
        ("Overdue", "overdue"), ("Plan ready", "plan_ready"),
    ], empty="Nothing waits for your decision.")


def _decide(ctx: typer.Context, stage_id: int, decision: str, comment: str | None, past: str) -> None:
    st = state(ctx)
    with st.client() as client:
        answer = client.post(f"approvals/{stage_id}/decide", {"decision": decision, "comment": comment or ""})
    if st.out.as_json(answer):
        return
    stage = answer.get("stage") or {}
    request = stage.get("request")
    request_id = request.get("id") if isinstance(request, dict) else request
    st.out.say(f"Stage #{stage_id} {past}" + (f" (request #{request_id})" if request_id else "")
               + f": the request is now {answer.get('request_status')}.")


STAGE_ARGUMENT = typer.Argument(metavar="STAGE_ID", help="The stage's number (first column of `portal approvals`).")


@app.command()
@handled
def approve(ctx: typer.Context, stage_id: Annotated[int, STAGE_ARGUMENT],
            comment: Annotated[str | None, typer.Option("--comment", "-m", help="Why (optional).",
                                                        show_default=False)] = None) -> None:
    """Approve an approval stage (you cannot approve your own request)."""
    _decide(ctx, stage_id, "approve", comment, "approved")


@app.command()
@handled
def reject(ctx: typer.Context, stage_id: Annotated[int, STAGE_ARGUMENT],
           comment: Annotated[str, typer.Option("--comment", "-m", help="Why: the requester reads it.")]) -> None:
    """Reject an approval stage: the request ends."""
    _decide(ctx, stage_id, "reject", comment, "rejected")


@app.command("request-changes")
@handled
def request_changes(ctx: typer.Context, stage_id: Annotated[int, STAGE_ARGUMENT],
                    comment: Annotated[str, typer.Option("--comment", "-m",
                                                         help="What to change: the requester reads it.")]) -> None:
    """Send a request back to its requester for changes."""
    _decide(ctx, stage_id, "request_changes", comment, "sent back for changes")


# -------------------------------------------------------------------------------------------- inventory


@app.command()
@handled
def resources(
    ctx: typer.Context,
    team: Annotated[str | None, typer.Option("--team", "-t", help="A team's slug.", show_default=False)] = None,
    limit: Annotated[int, typer.Option("--limit", "-n", min=1, help="At most this many.")] = 200,
) -> None:
    """What your teams have running: each resource, its cost, expiry and drift."""
    st = state(ctx)
    with st.client() as client:
        rows = list(client.pages("resources", limit=limit, team=team))
    st.out.table(rows, [
        ("#", "id"), ("Name", "name"), ("Kind", "kind"), ("Team", lambda r: ref(r.get("team"))), ("Status", "status"),
        ("Template", lambda r: ref(r.get("template"))), ("USD/month", "monthly_cost"),
        ("Expires", lambda r: _day(r.get("expires_at"))), ("Drift", "drift_status"), ("Request", "request"),
        ("Outputs", "outputs"),
    ], empty="No resource.")


@app.command()
@handled
def decommission(
    ctx: typer.Context,
    request_id: Annotated[int, typer.Argument(metavar="REQUEST_ID", help="The request that made the resources.")],
    reason: Annotated[str, typer.Option("--reason", help="Why they can go (kept in the audit trail).")],
    item: Annotated[list[int] | None, typer.Option("--item", metavar="ITEM_ID", show_default=False,
                                                   help="Only this item (repeatable); default: all.")] = None,
) -> None:
    """Ask to destroy the resources of a request (a change request, approved like any other)."""
    st = state(ctx)
    body: dict[str, Any] = {"reason": reason}
    if item:
        body["items"] = item
    with st.client() as client:
        created = client.post(f"requests/{request_id}/decommission", body)
    if st.out.as_json(created):
        return
    st.out.say(f"Change request #{created.get('id')} created to decommission request #{request_id}: "
               f"{created.get('status')}.")
    st.out.say(f"Follow it with: portal request watch {created.get('id')}")


# ------------------------------------------------------------------------------------------------ audit


def _when(value: str | None, name: str) -> str | None:
    if value is None:
        return None
    try:
        (date.fromisoformat if len(value) == 10 else datetime.fromisoformat)(value)
    except ValueError:
        raise typer.BadParameter(f"{value!r} is not a date (2026-01-31) or time (2026-01-31T12:00:00+00:00).",
                                 param_hint=name)
    return value


@audit_app.command("export")
@handled
def audit_export(
    ctx: typer.Context,
    since: Annotated[str, typer.Option("--since", help="From this date or time (ISO 8601).")],
    until: Annotated[str | None, typer.Option("--until", help="Up to this date or time.", show_default=False)] = None,
    format_: Annotated[str, typer.Option("--format", help="csv or json.")] = "csv",
    out_file: Annotated[Path | None, typer.Option("--out", help="Write here (else to the standard output).",
                                                  show_default=False)] = None,
    actor: Annotated[str | None, typer.Option("--actor", help="Only this username.", show_default=False)] = None,
    verb: Annotated[str | None, typer.Option("--verb", help="Only this verb, e.g. stage.approve.",
                                             show_default=False)] = None,
) -> None:
    """Export the audit trail of a period as CSV or JSON."""
    if format_ not in ("csv", "json"):
        raise typer.BadParameter("choose csv or json", param_hint="--format")
    st = state(ctx)
    with st.client() as client:
        response = client.download("audit/export", since=_when(since, "--since"), until=_when(until, "--until"),
                                   format=format_, actor=actor, verb=verb)
    if out_file is None:
        typer.echo(response.text, nl=not response.text.endswith("\n"))
        return
    out_file.write_bytes(response.content)
    typer.echo(f"Wrote {len(response.content)} bytes to {out_file}.", err=True)


def main() -> None:
    """The console script: `portal`."""
    app()

