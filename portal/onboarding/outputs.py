"""The outputs a requester copies (IP, repo URL, bucket name…): from each item's latest successful apply.

Sensitive outputs are sealed by the engine (``{"sealed": <token>}``, see provisioning) and only
ever shown masked here; everything else is shown as text with a copy button.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

from portal.core.secrets import MASK as STORED_MASK
from portal.core.secrets import is_sealed

MASK = "hidden (sensitive)"
ACRONYMS = {"ip": "IP", "id": "ID", "arn": "ARN", "gpu": "GPU", "url": "URL", "dn": "DN", "sha": "SHA", "dns": "DNS"}


@dataclass(frozen=True)
class Output:
    name: str
    value: str
    sensitive: bool = False

    @property
    def label(self) -> str:
        words = [ACRONYMS.get(word, word) for word in self.name.lower().split("_")]
        return " ".join(words)[:1].upper() + " ".join(words)[1:]


def shown_outputs(outputs: dict | None) -> list[Output]:
    shown = []
    for name, value in (outputs or {}).items():
        if is_sealed(value) or value == STORED_MASK:
            shown.append(Output(name, MASK, sensitive=True))
        elif isinstance(value, str):
            if value:  # an empty one (e.g. no team role granted) has nothing to copy
                shown.append(Output(name, value))
        else:
            shown.append(Output(name, json.dumps(value)))
    return shown


def latest_outputs(runs) -> list[Output]:
    """Outputs of the newest succeeded apply among ``runs`` (oldest first)."""
    return shown_outputs(latest_raw_outputs(runs))


def latest_raw_outputs(runs) -> dict:
    """The same outputs as stored (sensitive ones sealed), for what the portal builds from them."""
    for run in reversed(list(runs)):
        if run.action == "apply" and run.status == "succeeded":
            return run.outputs or {}
    return {}
