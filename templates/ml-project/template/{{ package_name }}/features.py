"""Feature engineering, shared by training and prediction.

The fitted preprocessing is part of the saved model (a scikit-learn Pipeline), so a prediction
always sees features computed exactly as in training. Add a feature in ``add_features`` and name
it in ``ENGINEERED_NUMERIC``.
"""

from __future__ import annotations

import pandas as pd
from sklearn.compose import ColumnTransformer
from sklearn.impute import SimpleImputer
from sklearn.pipeline import Pipeline, make_pipeline
from sklearn.preprocessing import FunctionTransformer, OneHotEncoder, StandardScaler

# Raw columns every training row and every prediction request provides.
NUMERIC_INPUTS = ["age", "income", "tenure_months", "num_products"]
CATEGORICAL_INPUTS = ["region"]
INPUT_COLUMNS = NUMERIC_INPUTS + CATEGORICAL_INPUTS

# Columns computed by add_features().
ENGINEERED_NUMERIC = ["income_per_product", "is_new_customer"]
NEW_CUSTOMER_MONTHS = 6


def add_features(frame: pd.DataFrame) -> pd.DataFrame:
    """Return a new table with the input columns plus the engineered ones."""
    missing = [column for column in INPUT_COLUMNS if column not in frame.columns]
    if missing:
        raise ValueError(f"missing input columns: {missing}")
    out = frame[INPUT_COLUMNS].copy()
    products = out["num_products"].where(out["num_products"] > 0)  # 0 products -> NaN, not inf
    out["income_per_product"] = out["income"] / products
    out["is_new_customer"] = (out["tenure_months"] < NEW_CUSTOMER_MONTHS).astype(float)
    return out


def build_preprocessor() -> Pipeline:
    """Unfitted preprocessing: engineer features, impute and scale numbers, one-hot categories."""
    columns = ColumnTransformer(
        [
            (
                "numeric",
                make_pipeline(SimpleImputer(strategy="median"), StandardScaler()),
                NUMERIC_INPUTS + ENGINEERED_NUMERIC,
            ),
            (
                "categorical",
                make_pipeline(
                    SimpleImputer(strategy="most_frequent"),
                    OneHotEncoder(handle_unknown="ignore"),
                ),
                CATEGORICAL_INPUTS,
            ),
        ]
    )
    return Pipeline([("engineer", FunctionTransformer(add_features)), ("columns", columns)])
