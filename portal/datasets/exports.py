"""An access review as CSV (the auditors' copy): one line per grant, what was decided, by whom, when."""

from __future__ import annotations

import csv
import io

COLUMNS = ["review", "dataset", "classification", "reviewer", "opened_at", "due_at", "completed_at", "team",
           "access", "request", "granted_until", "decision", "decided_by", "decided_at", "comment"]
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _cell(value) -> str:
    """Text a spreadsheet shows as text: a cell starting like a formula gets a leading apostrophe."""
    text = "" if value is None else (value.isoformat() if hasattr(value, "isoformat") else str(value))
    return "'" + text if text.startswith(FORMULA_START) else text


def review_csv(review, rows) -> str:
    out = io.StringIO()
    writer = csv.writer(out)
    writer.writerow(COLUMNS)
    for row in rows:
        entry, ask = row.entry, row.ask
        writer.writerow([_cell(v) for v in (
            review.pk, review.dataset.name, review.dataset.classification, review.reviewer.username,
            review.created_at, review.due_at, review.completed_at, ask.team.slug, ask.access, ask.request_id,
            row.granted_until, entry.status, entry.decided_by.username if entry.decided_by else "",
            entry.decided_at, entry.comment)])
    return out.getvalue()
