"""Built-in templates for data and collaboration: bucket, repository, CI pipeline, directory group."""

from __future__ import annotations

from portal.catalog.models import PORTAL_ONLY

from .properties import NAME_PROPERTY, PURPOSE_FOR_APPROVERS

STORAGE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "sse_algorithm", "versioning", "expected_size_gb", "purpose"],
    "x-order": ["name", "sse_algorithm", "versioning", "expire_objects", "lifecycle_days", "expected_size_gb",
                "purpose"],
    "properties": {
        "name": NAME_PROPERTY,
        "sse_algorithm": {"type": "string", "title": "Encryption", "enum": ["AES256", "aws:kms"], "default": "AES256",
                       "x-enum-labels": {"AES256": "S3-managed keys (SSE-S3)", "aws:kms": "KMS keys (SSE-KMS)"}},
        "versioning": {"type": "boolean", "title": "Keep old versions of objects", "default": True},
        "expire_objects": {"type": "boolean", "title": "Delete objects after a while", "default": False,
                           PORTAL_ONLY: True},
        "lifecycle_days": {"type": "integer", "title": "Delete objects after (days)", "minimum": 1,
                           "maximum": 3650, "default": 365},
        "expected_size_gb": {"type": "integer", "title": "Expected size (GB)", "minimum": 1, "maximum": 1000000,
                             "default": 100, "description": "For the cost estimate only.", PORTAL_ONLY: True},
        "purpose": PURPOSE_FOR_APPROVERS,
    },
    "allOf": [{
        "if": {"properties": {"expire_objects": {"const": True}}, "required": ["expire_objects"]},
        "then": {"required": ["lifecycle_days"]},
    }],
}

REPO_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "project_name", "owner_email", "ci_provider", "model_kind", "python_version",
                 "retrain_schedule"],
    "x-order": ["name", "project_name", "description", "owner_email", "model_kind", "ci_provider",
                "python_version", "retrain_schedule"],
    "properties": {
        "name": {**NAME_PROPERTY, "title": "Repository name"},
        "project_name": {"type": "string", "title": "Project name", "minLength": 1, "maxLength": 100,
                         "description": "Human name shown in the README, e.g. “Churn prediction”."},
        "description": {"type": "string", "title": "Description", "maxLength": 300, "x-widget": "textarea",
                        "description": "One sentence on what the model is for."},
        "owner_email": {"type": "string", "title": "Model owner's e-mail", "maxLength": 200, "format": "email",
                        "pattern": "^[A-Za-z0-9._%+-]+@[A-Za-z0-9-]+([.][A-Za-z0-9-]+)*[.][A-Za-z]{2,}$",
                        "x-pattern-message": "Enter an e-mail address such as ana@example.org."},
        "model_kind": {"type": "string", "title": "Baseline model", "enum": ["classifier", "regressor"],
                       "default": "classifier",
                       "x-enum-labels": {"classifier": "Classifier (predicts a class, e.g. churned yes/no)",
                                         "regressor": "Regressor (predicts a number, e.g. monthly spend)"}},
        "ci_provider": {"type": "string", "title": "CI provider", "enum": ["github", "gitlab"], "default": "github",
                        "x-enum-labels": {"github": "GitHub Actions", "gitlab": "GitLab CI"}},
        "python_version": {"type": "string", "title": "Python version", "enum": ["3.11", "3.12"],
                           "default": "3.11"},
        "retrain_schedule": {"type": "string", "title": "Retraining schedule (cron, UTC)", "default": "0 3 * * 1",
                             "pattern": "^[0-9A-Za-z*/,-]+( [0-9A-Za-z*/,-]+){4}$",
                             "x-pattern-message": "Use a 5-field cron expression such as “0 3 * * 1” "
                                                  "(weekly, Monday 03:00 UTC)."},
    },
}

# https:// anywhere, http:// to loopback only (the embedded run's read-only git server). The same
# pattern as the repo_url validation of terraform/modules/ci_pipeline: the form accepts what the
# module accepts.
REPO_URL_PATTERN = r"^(https://[A-Za-z0-9.-]+|http://(127[.]0[.]0[.]1|localhost|\[::1\]))(:[0-9]+)?/[A-Za-z0-9._~/-]+$"

CI_PIPELINE_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "repo_url", "branch", "compute_type", "build_minutes_per_month", "purpose"],
    "x-order": ["name", "repo_url", "branch", "compute_type", "build_minutes_per_month", "purpose"],
    "properties": {
        "name": NAME_PROPERTY,
        "repo_url": {"type": "string", "title": "Repository URL", "maxLength": 300,
                     "pattern": REPO_URL_PATTERN,
                     "x-pattern-message": "Enter the https:// URL of the repository, e.g. "
                                          "https://git.example.org/churn/model.git (http:// only to "
                                          "127.0.0.1, localhost or [::1], the sandbox's git server)."},
        "branch": {"type": "string", "title": "Branch", "default": "main", "maxLength": 200, "format": "git-branch",
                   "pattern": "^[A-Za-z0-9._/-]+$", "x-pattern-message": "Use a plain git branch name such as main."},
        "compute_type": {"type": "string", "title": "Build machine", "default": "BUILD_GENERAL1_SMALL",
                         "enum": ["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE"],
                         "x-enum-labels": {"BUILD_GENERAL1_SMALL": "Small — 2 vCPU, 3 GiB",
                                           "BUILD_GENERAL1_MEDIUM": "Medium — 4 vCPU, 7 GiB",
                                           "BUILD_GENERAL1_LARGE": "Large — 8 vCPU, 15 GiB"}},
        "build_minutes_per_month": {"type": "integer", "title": "Build minutes per month", "minimum": 0,
                                    "maximum": 100000, "default": 300, PORTAL_ONLY: True,
                                    "description": "For the cost estimate only."},
        "purpose": PURPOSE_FOR_APPROVERS,
    },
}

DIRECTORY_GROUP_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "description"],
    "x-order": ["name", "description", "member_user_names"],
    "properties": {
        "name": {"type": "string", "title": "Group name", "maxLength": 63,
                 "pattern": "^[a-z][a-z0-9]*(-[a-z0-9]+)*$",
                 "x-pattern-message": "Use lowercase letters, digits and single dashes, starting with a letter "
                                      "and not ending with a dash."},
        "description": {"type": "string", "title": "Description", "minLength": 3, "maxLength": 200},
        "member_user_names": {
            "type": "array", "title": "Members", "description": "User names, one per line.", "default": [],
            "items": {"type": "string", "pattern": "^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$"}, "maxItems": 100,
            "uniqueItems": True,
            "x-pattern-message": "User names hold letters, digits and . _ @ + -, starting with a letter or digit."},
    },
}

# A dataset access grant (portal.datasets composes it; never offered in the catalog): the values are set by
# the portal from the dataset and the approved request, the lifetime is the request's duration.
DATASET_GRANT_SCHEMA = {
    "type": "object",
    "additionalProperties": False,
    "required": ["name", "bucket", "access"],
    "x-order": ["name", "bucket", "prefix", "access"],
    "properties": {
        "name": {"type": "string", "title": "Grant", "pattern": "^[a-z0-9][a-z0-9-]{0,99}$", "maxLength": 100},
        "bucket": {"type": "string", "title": "Bucket", "pattern": "^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$"},
        "prefix": {"type": "string", "title": "Prefix", "maxLength": 200, "default": "",
                   "pattern": "^([A-Za-z0-9!_.*'()/-]+/)?$"},
        "access": {"type": "string", "title": "Access", "enum": ["read", "read_write"],
                   "x-enum-labels": {"read": "Read", "read_write": "Read and write"}},
    },
}

TEAM_TOOLS = [
    {
        "slug": "storage-bucket", "kind": "storage", "name": "Storage bucket (S3)", "engine": "terraform",
        "description": "An encrypted S3 bucket for datasets, features and model artefacts.",
        "module": "storage", "fixed_values": {"force_destroy": False}, "schema": STORAGE_SCHEMA,
    },
    {
        "slug": "ml-repo", "kind": "repo", "name": "ML project repository", "engine": "scaffold",
        "description": "A git repository started from the ML project scaffold: data, features, train, predict, "
                       "tests, /predict and /retrain API, pinned requirements and CI.",
        "module": "ml-project", "fixed_values": {}, "schema": REPO_SCHEMA,
    },
    {
        "slug": "ci-pipeline", "kind": "ci_pipeline", "name": "CI pipeline (CodeBuild)", "engine": "terraform",
        "description": "A CodeBuild project that tests and packages your repository on every push.",
        "module": "ci_pipeline", "schema": CI_PIPELINE_SCHEMA,
        "fixed_values": {"source_type": "GITHUB", "image": "aws/codebuild/standard:7.0"},
    },
    {
        # The embedded default: an Identity Store group in the sandbox (Terraform), creating the member
        # users there. A site with AD/LDAP makes a new version with engine "directory" instead.
        "slug": "directory-group", "kind": "directory_group", "name": "Directory group", "engine": "terraform",
        "description": "A group for your team's people, used to grant access to what you request.",
        "module": "directory_group_sandbox", "fixed_values": {"create_users": True},
        "schema": DIRECTORY_GROUP_SCHEMA,
    },
    {
        "slug": "dataset-grant", "kind": "dataset_grant", "name": "Dataset access grant", "engine": "terraform",
        "description": "A team's time-boxed read or read-write access to a dataset (asked on the dataset's page).",
        "module": "dataset_grant", "fixed_values": {}, "schema": DATASET_GRANT_SCHEMA,
    },
]
