"""A data product's fields as people type them (a form, a CSV or XLSX row): parsed and checked in one
place, so the form and the import say the same things."""

from __future__ import annotations

from .models import CLASSIFICATIONS, Cadence, Level, ProductKind

COLUMNS = ["name", "kind", "owner", "current_platform", "languages", "cadence", "data_sources", "criticality",
           "regulatory_constraints", "complexity", "depends_on", "in_use", "commercial_alternative", "cores",
           "memory_gb", "gpus", "hours_per_week"]
REQUIRED = ("name", "kind", "owner", "current_platform", "cadence")
COLUMN_HELP = {
    "kind": "; ".join(f"{v} ({label})" for v, label in ProductKind.choices),
    "languages": "separated by ; or , e.g. SAS; Python; PySpark",
    "cadence": ", ".join(Cadence.values),
    "data_sources": "name:classification separated by ; e.g. crm.customers:confidential; web.logs:internal",
    "criticality": ", ".join(Level.values), "complexity": ", ".join(Level.values),
    "depends_on": "names of other products of the team, separated by ;",
    "in_use": "yes or no", "commercial_alternative": "yes or no",
}
EXAMPLE = {"name": "churn-scoring", "kind": "model", "owner": "ana@example.org", "current_platform": "SAS Grid",
           "languages": "SAS; Python", "cadence": "monthly", "data_sources": "crm.customers:confidential",
           "criticality": "high", "regulatory_constraints": "GDPR", "complexity": "medium", "depends_on": "",
           "in_use": "yes", "commercial_alternative": "no", "cores": "8", "memory_gb": "64", "gpus": "0",
           "hours_per_week": "12"}
NUMBERS = {"cores": (1, 1024, 2), "memory_gb": (1, 16384, 8), "gpus": (0, 64, 0), "hours_per_week": (0, 168, 10)}
YES, NO = {"yes", "y", "true", "1"}, {"no", "n", "false", "0"}


def split_list(text) -> list[str]:
    parts = str(text or "").replace(",", ";").split(";")
    return [p.strip() for p in parts if p.strip()]


def parse_sources(text) -> tuple[list[dict], list[str]]:
    """``name:classification; …`` → [{"name", "classification"}] and the problems found."""
    sources, problems = [], []
    for part in split_list(str(text or "").replace("\n", ";")):
        name, _, classification = part.rpartition(":") if ":" in part else (part, "", "internal")
        name, classification = name.strip(), classification.strip().lower() or "internal"
        if not name:
            problems.append(f"“{part}” has no source name.")
        elif classification not in CLASSIFICATIONS:
            problems.append(f"“{classification}” is not a classification ({', '.join(CLASSIFICATIONS)}).")
        else:
            sources.append({"name": name[:200], "classification": classification})
    return sources, problems


def format_sources(sources) -> str:
    return "; ".join(f"{s['name']}:{s['classification']}" for s in sources or [])


def _choice(value, choices) -> str | None:
    text = str(value or "").strip().lower()
    for stored, label in choices:
        if text in (stored, str(label).lower()):
            return stored
    return None


def clean_row(raw: dict) -> tuple[dict, dict[str, list[str]]]:
    """Typed product fields from text values (missing optional ones get their defaults), and the
    problems per column. ``depends_on`` stays a list of names (the caller resolves them)."""
    raw = {key: str(value).replace("\x00", "") if value is not None else "" for key, value in raw.items()}
    data: dict = {}
    errors: dict[str, list[str]] = {}

    def problem(column: str, message: str) -> None:
        errors.setdefault(column, []).append(message)

    def text(column: str, limit: int) -> str:
        value = str(raw.get(column) or "").strip()
        if len(value) > limit:
            problem(column, f"At most {limit} characters.")
        return value[:limit]

    for column in REQUIRED:
        if not str(raw.get(column) or "").strip():
            problem(column, "Required.")
    data["name"] = text("name", 100)
    data["owner"] = text("owner", 150)
    data["current_platform"] = text("current_platform", 150)
    data["regulatory_constraints"] = text("regulatory_constraints", 2000)
    for column, choices, default in (("kind", ProductKind.choices, None), ("cadence", Cadence.choices, None),
                                     ("criticality", Level.choices, Level.MEDIUM),
                                     ("complexity", Level.choices, Level.MEDIUM)):
        given = str(raw.get(column) or "").strip()
        value = _choice(given, choices) if given else default
        if given and value is None:
            problem(column, f"“{given}” is not one of: {', '.join(str(v) for v, _ in choices)}.")
        data[column] = value
    data["languages"] = split_list(raw.get("languages"))[:20]
    data["data_sources"], source_problems = parse_sources(raw.get("data_sources"))
    for message in source_problems:
        problem("data_sources", message)
    data["depends_on"] = split_list(raw.get("depends_on"))
    for column, default in (("in_use", True), ("commercial_alternative", False)):
        given = str(raw.get(column) or "").strip().lower()
        if given and given not in YES | NO:
            problem(column, f"“{given}”: answer yes or no.")
        data[column] = default if not given or given not in YES | NO else given in YES
    for column, (low, high, default) in NUMBERS.items():
        given = str(raw.get(column) if raw.get(column) is not None else "").strip()
        if given.endswith(".0"):  # spreadsheets write whole numbers as 8.0
            given = given[:-2]
        if not given:
            data[column] = default
        elif not (given.isascii() and given.isdigit() and len(given) < 12) or not low <= int(given) <= high:
            problem(column, f"“{given}” is not a whole number from {low} to {high}.")
        else:
            data[column] = int(given)
    return data, errors
