"""Data acquisition: load the training table named by the configuration.

The table comes from ``settings.data_path`` (a CSV file). To train on your own data, point
``data_path`` in config.yaml (or the matching environment variable) at it; it needs the input
columns listed in ``features.INPUT_COLUMNS`` and the target column named in the config.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from .config import Settings
from .features import INPUT_COLUMNS


def load_dataset(settings: Settings) -> pd.DataFrame:
    """Return the configured training table, checked for the columns training needs."""
    path = settings.data_path
    if not path.is_file():
        raise FileNotFoundError(f"training data not found: {path} (set data_path in the config)")
    frame = pd.read_csv(path)
    missing = [column for column in [*INPUT_COLUMNS, settings.target] if column not in frame]
    if missing:
        raise ValueError(f"{path}: missing columns {missing}")
    frame = frame.dropna(subset=[settings.target])
    if frame.empty:
        raise ValueError(f"{path}: no rows with a value for the target {settings.target!r}")
    return frame


def split_features_target(frame: pd.DataFrame, target: str) -> tuple[pd.DataFrame, pd.Series]:
    """Split a table into the input columns and the target column."""
    return frame[INPUT_COLUMNS], frame[target]


def file_sha256(path: Path) -> str:
    """Hash of a data file, recorded with each model so a version names the exact data used."""
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()
