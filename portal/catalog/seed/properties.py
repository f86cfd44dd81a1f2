"""Schema properties several built-in templates share."""

from __future__ import annotations

from portal.catalog.instance_types import enum_labels
from portal.catalog.models import PORTAL_ONLY

SANDBOX_AMI = "ami-04681a1dbd79675a5"  # an image the sandbox (moto) knows

NAME_PROPERTY = {
    "type": "string",
    "title": "Name",
    "description": "3–40 lowercase letters, digits or dashes; unique within your team.",
    "pattern": "^[a-z][a-z0-9-]{2,39}$",
    "x-pattern-message": "Use 3–40 lowercase letters, digits or dashes, starting with a letter.",
}
PURPOSE_PROPERTY = {
    "type": "string",
    "title": "Purpose",
    "description": "What the team will use it for.",
    "minLength": 3,
    "maxLength": 500,
    "x-widget": "textarea",
}
# The same question for modules without a ``purpose`` variable: approvers read it, Terraform doesn't.
PURPOSE_FOR_APPROVERS = {**PURPOSE_PROPERTY, PORTAL_ONLY: True}

# Optional questions on VM templates for right-sizing advice (portal/catalog/sizing.py).
WORKLOAD_PROPERTIES = {
    "workload_framework": {
        "type": "string", "title": "Main framework", PORTAL_ONLY: True, "x-group": "workload",
        "enum": ["scikit-learn", "xgboost", "pandas", "spark", "pytorch", "tensorflow", "other"],
        "x-enum-labels": {"scikit-learn": "scikit-learn", "xgboost": "XGBoost / LightGBM",
                          "pandas": "pandas / SQL feature work", "spark": "Spark", "pytorch": "PyTorch",
                          "tensorflow": "TensorFlow / Keras", "other": "Something else"},
    },
    "workload_stage": {
        "type": "string", "title": "Mostly used for", PORTAL_ONLY: True, "x-group": "workload",
        "enum": ["exploration", "training", "inference"],
        "x-enum-labels": {"exploration": "Exploration and feature engineering", "training": "Model training",
                          "inference": "Inference / batch scoring"},
    },
    "workload_data_gb": {
        "type": "integer", "title": "Data one job reads (GB)", PORTAL_ONLY: True, "x-group": "workload",
        "minimum": 0, "maximum": 1000000,
    },
    "workload_hours_per_week": {
        "type": "integer", "title": "Hours of use per week", PORTAL_ONLY: True, "x-group": "workload",
        "minimum": 1, "maximum": 168,
    },
}
WORKLOAD_ORDER = list(WORKLOAD_PROPERTIES)


def instance_type_property(title: str, names: list[str], default: str) -> dict:
    return {"type": "string", "title": title, "enum": names, "x-enum-labels": enum_labels(names),
            "default": default}
