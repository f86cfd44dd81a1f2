"""The request's own answers that approval routing needs: classification, justification, cost centre,
expected duration. The form and the services both check them with ``clean_details``."""

from __future__ import annotations

import re

from portal.core.errors import ApplicationError
from portal.core.text import unsafe_character_message

from .models import DataClassification

DETAIL_FIELDS = ("data_classification", "business_justification", "cost_centre", "expected_duration_days")
COST_CENTRE = re.compile(r"^[A-Z0-9][A-Z0-9-]{1,29}$")
COST_CENTRE_MESSAGE = "Use 2–30 capital letters, digits or dashes, e.g. CC-4711."
DURATION_CHOICES = [(30, "1 month"), (90, "3 months"), (180, "6 months"), (365, "1 year"), (730, "2 years")]
MAX_JUSTIFICATION = 4000


class InvalidDetails(ApplicationError):
    def __init__(self, errors: dict[str, str]):
        super().__init__("Some request details are not valid: " + " ".join(errors.values()))
        self.errors = errors


def clean_details(details: dict | None) -> dict:
    """The details normalised, or InvalidDetails naming each bad field. Unknown keys are refused."""
    details = dict(details or {})
    errors: dict[str, str] = {}
    for key in set(details) - set(DETAIL_FIELDS):
        errors[key] = f"'{key}' is not a request detail."
    clean: dict = {}
    if "data_classification" in details:
        if details["data_classification"] not in DataClassification.values:
            errors["data_classification"] = "Choose public, internal, confidential or restricted."
        clean["data_classification"] = details["data_classification"]
    if "business_justification" in details:
        text = str(details["business_justification"] or "").strip()
        unsafe = unsafe_character_message(text, multiline=True)  # as the form's PrintableText(multiline=True)
        if len(text) > MAX_JUSTIFICATION:
            errors["business_justification"] = f"Keep it under {MAX_JUSTIFICATION} characters."
        elif unsafe:
            errors["business_justification"] = unsafe
        clean["business_justification"] = text
    if "cost_centre" in details:
        centre = str(details["cost_centre"] or "").strip().upper()
        if centre and not COST_CENTRE.match(centre):
            errors["cost_centre"] = COST_CENTRE_MESSAGE
        clean["cost_centre"] = centre
    if "expected_duration_days" in details:
        days = details["expected_duration_days"]
        if days is not None and (isinstance(days, bool) or not isinstance(days, int) or not 1 <= days <= 730):
            errors["expected_duration_days"] = "Give a whole number of days between 1 and 730."
        clean["expected_duration_days"] = days
    if errors:
        raise InvalidDetails(errors)
    return clean
