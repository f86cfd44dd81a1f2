"""Demo datasets with owners (idempotent): two of the churn team's, two of the risk team's, on existing
buckets of the demo (an admin registered them), one of each classification."""

from __future__ import annotations

from datetime import date

from django.contrib.auth import get_user_model

from portal.teams.models import Team

from .models import Dataset, RetentionAction

# name, team slug, owner username, bucket, prefix, class, retention days, action, description
DEMO_DATASETS = [
    ("churn-features", "churn-modelling", "requester", "demo-churn-data", "features/", "internal", 0,
     RetentionAction.DELETE, "Monthly customer features for churn models (one Parquet file a month)."),
    ("customer-contacts", "churn-modelling", "requester", "demo-churn-data", "contacts/", "restricted", 365,
     RetentionAction.ANONYMISE, "Names, e-mail addresses and call notes of customers who called to cancel."),
    ("loan-applications", "risk-analytics", "risk-lead", "demo-risk-data", "loans/applications/", "confidential",
     2555, RetentionAction.DELETE, "Loan applications with bureau scores, 2015 onwards."),
    ("base-rates", "risk-analytics", "risk-lead", "demo-risk-data", "public/base-rates/", "public", 0,
     RetentionAction.DELETE, "Central-bank base rates, daily."),
]


def ensure_demo_datasets() -> list[Dataset]:
    """The demo datasets whose team and owner exist (after the teams, people and migration seeds)."""
    User = get_user_model()
    made = []
    for name, slug, owner, bucket, prefix, classification, days, action, description in DEMO_DATASETS:
        team = Team.objects.filter(slug=slug).first()
        user = User.objects.filter(username=owner, memberships__team=team).first() if team else None
        if user is None:
            continue
        dataset, _ = Dataset.objects.get_or_create(name=name, defaults={
            "team": team, "data_owner": user, "bucket": bucket, "prefix": prefix, "classification": classification,
            "retention_days": days, "retention_action": action, "description": description,
            "schema_notes": "See the README in the prefix.", "last_reviewed": date(2026, 10, 1)})
        made.append(dataset)
    return made
