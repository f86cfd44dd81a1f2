"""Model versioning: every trained model is kept, never overwritten.

Layout of the models folder (``settings.models_dir``)::

    models/
      v0001/model.joblib      the fitted scikit-learn Pipeline
      v0001/metadata.json     version, created_at, data_sha256, params, metrics, ...
      v0002/...

A version counts only once its metadata.json exists (it is written last), so a half-saved
model is never served. Only load models you trained yourself: joblib files can run code.
"""

from __future__ import annotations

import json
import os
import re
import tempfile
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import joblib

MODEL_FILE = "model.joblib"
METADATA_FILE = "metadata.json"
VERSION_PATTERN = re.compile(r"^v(\d{4,})$")


class ModelNotFoundError(LookupError):
    """No (complete) model version is available."""


def list_versions(models_dir: Path) -> list[str]:
    """Complete versions, oldest first."""
    if not models_dir.is_dir():
        return []
    complete = [
        entry.name
        for entry in models_dir.iterdir()
        if VERSION_PATTERN.match(entry.name) and (entry / METADATA_FILE).is_file()
    ]
    return sorted(complete, key=_version_number)


def latest_version(models_dir: Path) -> str | None:
    versions = list_versions(models_dir)
    return versions[-1] if versions else None


def save_model(model: Any, metadata: dict[str, Any], models_dir: Path) -> dict[str, Any]:
    """Store ``model`` as a new version; return its metadata including version and created_at."""
    models_dir.mkdir(parents=True, exist_ok=True)
    version_dir = _claim_next_version_dir(models_dir)
    joblib.dump(model, version_dir / MODEL_FILE)
    record = {
        **metadata,
        "version": version_dir.name,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
    }
    _write_json_atomically(version_dir / METADATA_FILE, record)
    return record


def load_metadata(models_dir: Path, version: str) -> dict[str, Any]:
    path = _version_dir(models_dir, version) / METADATA_FILE
    if not path.is_file():
        raise ModelNotFoundError(f"model version {version} not found in {models_dir}")
    return json.loads(path.read_text(encoding="utf-8"))


def load_model(models_dir: Path, version: str | None = None) -> tuple[Any, dict[str, Any]]:
    """Return (model, metadata) of ``version``, or of the newest version when None."""
    version = version or latest_version(models_dir)
    if version is None:
        raise ModelNotFoundError(f"no trained model in {models_dir}; run training first")
    metadata = load_metadata(models_dir, version)
    model = joblib.load(_version_dir(models_dir, version) / MODEL_FILE)
    return model, metadata


def _version_number(version: str) -> int:
    match = VERSION_PATTERN.match(version)
    if match is None:
        raise ValueError(f"not a model version: {version!r} (expected e.g. 'v0001')")
    return int(match.group(1))


def _version_dir(models_dir: Path, version: str) -> Path:
    _version_number(version)  # refuses anything that is not vNNNN, e.g. "../x"
    return models_dir / version


def _claim_next_version_dir(models_dir: Path) -> Path:
    """Create the next vNNNN folder; mkdir is atomic, so two trainings never share one."""
    taken = [_version_number(p.name) for p in models_dir.iterdir() if VERSION_PATTERN.match(p.name)]
    number = max(taken, default=0) + 1
    while True:
        candidate = models_dir / f"v{number:04d}"
        try:
            candidate.mkdir()
        except FileExistsError:
            number += 1
        else:
            return candidate


def _write_json_atomically(path: Path, payload: dict[str, Any]) -> None:
    with tempfile.NamedTemporaryFile(
        "w", encoding="utf-8", dir=path.parent, suffix=".tmp", delete=False
    ) as handle:
        json.dump(payload, handle, indent=2, sort_keys=True)
        handle.write("\n")
    os.replace(handle.name, path)
