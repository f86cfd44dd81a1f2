"""Comparing one inference cycle's outputs: the original's and the migrated product's (CSV files).

Checks, each against a declared tolerance:
- row counts: the difference, as a share of the original's rows;
- numbers: the largest absolute difference between the same row and column (columns numeric in both);
- labels: the share of equal values in the other shared columns.
Rows are matched by ``key_column`` when given (a key missing on one side is a disagreement), else in
order. Pure: no Django.
"""

from __future__ import annotations

import csv
import hashlib
import io
import math
from dataclasses import asdict, dataclass

MAX_BYTES = 20 * 1024 * 1024


class UnreadableOutput(ValueError):
    pass


@dataclass(frozen=True)
class Output:
    columns: list[str]
    rows: list[dict]
    sha256: str


@dataclass(frozen=True)
class Check:
    check: str
    measured: str
    limit: str
    passed: bool
    detail: str = ""


@dataclass(frozen=True)
class Tolerances:
    max_row_count_difference_pct: float = 0.0
    max_numeric_difference: float = 1e-6
    min_label_agreement_pct: float = 100.0
    key_column: str = ""


def read_output(content: bytes, *, which: str) -> Output:
    if len(content) > MAX_BYTES:
        raise UnreadableOutput(f"The {which} output is larger than {MAX_BYTES // (1024 * 1024)} MB.")
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise UnreadableOutput(f"The {which} output is not UTF-8 CSV text.")
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames:
        raise UnreadableOutput(f"The {which} output has no header row.")
    try:
        rows = list(reader)
    except csv.Error as error:
        raise UnreadableOutput(f"The {which} output is not valid CSV: {error}.")
    columns = [c.strip() for c in reader.fieldnames]
    rows = [{(k or "").strip(): (v or "").strip() if isinstance(v, str) else "" for k, v in row.items()}
            for row in rows]
    return Output(columns=columns, rows=rows, sha256=hashlib.sha256(content).hexdigest())


def _number(text: str) -> float | None:
    try:
        value = float(text)
    except (TypeError, ValueError):
        return None
    return value if math.isfinite(value) else None


def _numeric(rows: list[dict], column: str) -> bool:
    values = [row.get(column, "") for row in rows if row.get(column, "") != ""]
    return bool(values) and all(_number(v) is not None for v in values)


def _pairs(old: Output, new: Output, key: str) -> tuple[list[tuple[dict, dict]], int]:
    """Matched rows, and how many rows of either side found no partner."""
    if not key:
        matched = list(zip(old.rows, new.rows, strict=False))
        return matched, abs(len(old.rows) - len(new.rows))
    new_by_key = {row.get(key): row for row in new.rows}
    matched = [(row, new_by_key[row.get(key)]) for row in old.rows if row.get(key) in new_by_key]
    return matched, len(old.rows) + len(new.rows) - 2 * len(matched)


def compare(old: Output, new: Output, tolerances: Tolerances) -> list[Check]:
    checks = []
    key = tolerances.key_column.strip()
    for side, output in (("original", old), ("migrated", new)):
        if key and key not in output.columns:
            return [Check("key column", "missing", key, False, f"The {side} output has no column “{key}”.")]
    base = max(len(old.rows), 1)
    difference = abs(len(new.rows) - len(old.rows)) / base * 100
    checks.append(Check("row count", f"{len(old.rows)} → {len(new.rows)} ({difference:.2f}%)",
                        f"≤ {tolerances.max_row_count_difference_pct:g}%",
                        difference <= tolerances.max_row_count_difference_pct + 1e-9))
    shared = [c for c in old.columns if c in new.columns and c != key]
    missing = [c for c in old.columns if c not in new.columns]
    if missing:
        checks.append(Check("columns", f"{len(missing)} missing", "none missing", False,
                            "The migrated output lacks: " + ", ".join(missing[:10])))
    pairs, unmatched = _pairs(old, new, key)
    numeric = [c for c in shared if _numeric(old.rows, c) and _numeric(new.rows, c)]
    labels = [c for c in shared if c not in numeric]
    if numeric:
        worst, where = 0.0, ""
        for a, b in pairs:
            for column in numeric:
                x, y = _number(a.get(column, "")), _number(b.get(column, ""))
                gap = math.inf if (x is None) != (y is None) else (abs(x - y) if x is not None else 0.0)
                if gap > worst:
                    worst, where = gap, column
        checks.append(Check("numeric difference", f"{worst:.6g}" + (f" (in {where})" if where else ""),
                            f"≤ {tolerances.max_numeric_difference:g}",
                            worst <= tolerances.max_numeric_difference and bool(pairs),
                            f"{len(numeric)} numeric column{'s' if len(numeric) != 1 else ''}: "
                            + ", ".join(numeric[:8])))
    if labels:
        total = len(pairs) * len(labels) + unmatched * len(labels)
        equal = sum(a.get(c, "") == b.get(c, "") for a, b in pairs for c in labels)
        agreement = equal / total * 100 if total else 100.0
        checks.append(Check("label agreement", f"{agreement:.2f}%", f"≥ {tolerances.min_label_agreement_pct:g}%",
                            agreement + 1e-9 >= tolerances.min_label_agreement_pct,
                            f"{len(labels)} label column{'s' if len(labels) != 1 else ''}: " + ", ".join(labels[:8])))
    if key and unmatched:
        share = unmatched / base * 100
        checks.append(Check("unmatched keys", f"{unmatched} ({share:.2f}%)",
                            f"≤ {tolerances.max_row_count_difference_pct:g}%",
                            share <= tolerances.max_row_count_difference_pct + 1e-9,
                            f"rows whose {key} is on one side only"))
    return checks


def as_records(checks: list[Check]) -> list[dict]:
    return [asdict(check) for check in checks]
