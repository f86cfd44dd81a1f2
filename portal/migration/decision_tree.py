"""The triage decision tree as data: its format (a JSON Schema), its checks, and its walk.

A tree is ``{"start": "<node id>", "nodes": {"<id>": node}}``. A *question* node tests one fact of the
product and names where each answer leads, with the reason a person reads::

    {"fact": "in_use", "op": "eq", "value": false,
     "yes": "retire-it", "no": "next-question",
     "because_yes": "Nobody uses its results any more", "because_no": "It is still used"}

A *leaf* node answers an R: ``{"r": "retire", "because": "Retire what nobody needs."}``. Walking the
tree from ``start`` gives the R and the reasons of every branch taken, in order.

Pure functions (no Django): the facts are a dict (``facts_of`` builds it from a product).
"""

from __future__ import annotations

from dataclasses import dataclass

import jsonschema

RS = ("rehost", "replatform", "refactor", "rebuild", "retire", "retain")
FACTS = {  # name -> what it holds (for the admin's help and the checks)
    "kind": "model, notebook, pipeline, dashboard, table, ab_test",
    "cadence": "hourly, daily, weekly, monthly, quarterly, ad_hoc",
    "criticality": "low, medium, high",
    "complexity": "low, medium, high",
    "classification": "the highest of its data sources: public, internal, confidential, restricted",
    "languages": "list, lower case: sas, r, python, pyspark, …",
    "regulated": "true when it declares regulatory constraints",
    "in_use": "true when someone still uses it",
    "commercial_alternative": "true when a product on the market does the same",
    "gpus": "GPUs it uses now", "cores": "cores it uses now", "memory_gb": "memory it uses now",
    "hours_per_week": "hours a week it runs now",
    "dependents": "how many other products depend on it",
}
OPERATORS = ("eq", "ne", "in", "not_in", "gt", "gte", "lt", "lte", "contains", "contains_any")
MAX_DEPTH = 50

SCHEMA = {
    "type": "object",
    "required": ["start", "nodes"],
    "additionalProperties": False,
    "properties": {
        "start": {"type": "string", "minLength": 1},
        "nodes": {
            "type": "object", "minProperties": 1, "maxProperties": 200,
            "additionalProperties": {"oneOf": [
                {"type": "object", "additionalProperties": False, "required": ["r", "because"],
                 "properties": {"r": {"enum": list(RS)}, "because": {"type": "string", "minLength": 1}}},
                {"type": "object", "additionalProperties": False,
                 "required": ["fact", "op", "value", "yes", "no", "because_yes", "because_no"],
                 "properties": {
                     "fact": {"enum": list(FACTS)}, "op": {"enum": list(OPERATORS)}, "value": {},
                     "yes": {"type": "string"}, "no": {"type": "string"},
                     "because_yes": {"type": "string", "minLength": 1},
                     "because_no": {"type": "string", "minLength": 1}}},
            ]},
        },
    },
}


@dataclass(frozen=True)
class Answer:
    r: str
    reasons: list[str]
    path: list[str]  # node ids visited


def tree_problems(definition) -> list[str]:
    """What is wrong with a tree (empty: it is usable): its shape, dangling links, loops, unreachable nodes."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    errors = sorted(validator.iter_errors(definition), key=lambda e: list(e.absolute_path))
    if errors:
        return [f"{'/'.join(map(str, e.absolute_path)) or 'tree'}: {_short(e)}" for e in errors[:10]]
    nodes, problems = definition["nodes"], []
    if definition["start"] not in nodes:
        problems.append(f"start: no node called “{definition['start']}”.")
    for node_id, node in nodes.items():
        for branch in ("yes", "no"):
            if branch in node and node[branch] not in nodes:
                problems.append(f"nodes/{node_id}/{branch}: no node called “{node[branch]}”.")
        if node.get("op") in ("in", "not_in", "contains_any") and not isinstance(node.get("value"), list):
            problems.append(f"nodes/{node_id}/value: “{node['op']}” needs a list.")
        if node.get("op") in ("gt", "gte", "lt", "lte") and not isinstance(node.get("value"), int | float):
            problems.append(f"nodes/{node_id}/value: “{node['op']}” needs a number.")
    if problems:
        return problems
    seen: set[str] = set()

    def visit(node_id: str, trail: tuple[str, ...]) -> None:
        if node_id in trail:
            problems.append(f"nodes/{node_id}: a loop ({' → '.join((*trail, node_id))}).")
            return
        seen.add(node_id)
        node = nodes[node_id]
        for branch in ("yes", "no"):
            if branch in node and len(problems) < 10:
                visit(node[branch], (*trail, node_id))

    visit(definition["start"], ())
    problems += [f"nodes/{n}: never reached from start." for n in nodes if n not in seen]
    return problems


def _short(error) -> str:
    if error.validator == "oneOf":
        return "a node is either a question (fact, op, value, yes, no, because_yes, because_no) or a leaf (r, because)."
    return error.message


def holds(op: str, actual, expected) -> bool:
    if op == "eq":
        return actual == expected
    if op == "ne":
        return actual != expected
    if op == "in":
        return actual in expected
    if op == "not_in":
        return actual not in expected
    if op in ("contains", "contains_any"):
        have = {str(v).lower() for v in (actual or [])}
        wanted = expected if op == "contains_any" else [expected]
        return any(str(v).lower() in have for v in wanted)
    if not isinstance(actual, int | float):
        return False
    return {"gt": actual > expected, "gte": actual >= expected, "lt": actual < expected,
            "lte": actual <= expected}[op]


def walk(definition: dict, facts: dict) -> Answer:
    """The R the tree answers for ``facts`` and the reasons of the branches it took (a checked tree)."""
    nodes, node_id = definition["nodes"], definition["start"]
    reasons, path = [], []
    for _ in range(MAX_DEPTH):
        node = nodes[node_id]
        path.append(node_id)
        if "r" in node:
            return Answer(r=node["r"], reasons=[*reasons, node["because"]], path=path)
        answer = holds(node["op"], facts.get(node["fact"]), node["value"])
        reasons.append(node["because_yes"] if answer else node["because_no"])
        node_id = node["yes"] if answer else node["no"]
    raise ValueError("The decision tree is deeper than it may be (a loop?).")


def reachable_rs(definition: dict) -> set[str]:
    return {node["r"] for node in definition["nodes"].values() if "r" in node}


def _q(fact, op, value, yes, no, because_yes, because_no) -> dict:
    return {"fact": fact, "op": op, "value": value, "yes": yes, "no": no, "because_yes": because_yes,
            "because_no": because_no}


# The tree the portal starts with (seeded as v1); admins change it in new versions.
DEFAULT_TREE = {
    "start": "in-use",
    "nodes": {
        "in-use": _q("in_use", "eq", False, "retire", "alternative", "Nobody uses its results any more.",
                     "It is still in use."),
        "alternative": _q("commercial_alternative", "eq", True, "repurchase", "restricted",
                          "A product on the market does the same.", "Nothing on the market replaces it."),
        "restricted": _q("classification", "eq", "restricted", "restricted-regulated", "sas",
                         "It reads restricted data.", "It reads no restricted data."),
        "restricted-regulated": _q("regulated", "eq", True, "retain", "sas",
                                   "Regulatory constraints apply to that data.", "No regulatory constraint applies."),
        "sas": _q("languages", "contains_any", ["sas"], "refactor", "spark",
                  "It is written in SAS, which the cloud platform does not run.", "It is not written in SAS."),
        "spark": _q("languages", "contains_any", ["pyspark", "spark", "scala"], "replatform", "complex",
                    "It runs on Spark: a managed cluster replaces the on-premises one.", "It does not need Spark."),
        "complex": _q("complexity", "eq", "high", "critical", "rehost", "Its complexity is high.",
                      "Its complexity is low or medium."),
        "critical": _q("criticality", "eq", "high", "rebuild", "rehost-complex",
                       "It is business-critical: rebuild it cloud-native rather than carry its debt.",
                       "It is not business-critical."),
        "retire": {"r": "retire", "because": "Retire what nobody needs."},
        "repurchase": {"r": "rebuild", "because": "Repurchase: buy rather than migrate."},
        "rebuild": {"r": "rebuild", "because": "Rebuild it for the cloud."},
        "retain": {"r": "retain", "because": "Retain on premises until the regulatory question is settled."},
        "refactor": {"r": "refactor", "because": "Refactor the code (e.g. SAS to Python) to run in the cloud."},
        "replatform": {"r": "replatform", "because": "Replatform onto the managed cluster."},
        "rehost": {"r": "rehost", "because": "Rehost it as it is on a cloud machine."},
        "rehost-complex": {"r": "rehost", "because": "Rehost first; refactor later if it pays."},
    },
}
