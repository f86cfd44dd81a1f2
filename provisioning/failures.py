"""Why a run failed, told to a person, and whether trying again can help.

Terraform says what went wrong only in its output, so a failed command is classified from its
text (the patterns are checked against error strings captured from Terraform 1.11 with the AWS
provider 5.100, see tests/provisioning/test_failures.py). Permanent patterns are checked first:
an error that names both (a throttled call *and* an invalid value) is not worth retrying.
Anything unrecognised is permanent too: a person looks, then presses "retry".
No Django imports.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from celery.exceptions import SoftTimeLimitExceeded

from .directory.errors import DirectoryError, DirectoryUnavailable
from .engines.base import EngineUnavailable, TransientEngineError
from .runners.terraform import TerraformFailed


@dataclass(frozen=True)
class Failure:
    message: str  # what happened, for the request page
    transient: bool  # retrying later may succeed
    cause: str  # short category, e.g. "throttled by the cloud"


PERMANENT = (
    ("no permission (cloud policy)",
     r"UnauthorizedOperation|AccessDenied|not authorized to perform|explicit deny"),
    ("an invalid value",
     r"Invalid value for (input )?variable|InvalidParameter\w*|ValidationException|ValidationError"
     r"|InvalidAMIID\.\w+|couldn't find resource|InvalidInstanceType|Unsupported(Operation|InstanceType)"),
    ("an error in the Terraform configuration",
     r"Reference to undeclared|Unsupported argument|Missing required argument|Unsupported attribute"
     r"|Invalid reference|Unsupported block type|Invalid function argument|Module not installed"
     r"|Missing required provider|Failed to query available provider packages|Duplicate \w+ (configuration|block)"),
)
TRANSIENT = (
    ("the state is locked by another run", r"Error acquiring the state lock"),
    ("throttled by the cloud",
     r"\b(Throttling(Exception)?|RequestLimitExceeded|TooManyRequests(Exception)?|RequestThrottled|SlowDown)\b"
     r"|Rate exceeded"),
    ("the cloud is briefly unavailable",
     r"api error (InternalError|InternalFailure|ServiceUnavailable|Unavailable)\b|StatusCode: 5\d\d"
     r"|InsufficientInstanceCapacity"),
    ("a network problem",
     r"connection refused|connection reset|i/o timeout|no such host|TLS handshake timeout|request send failed"
     r"|context deadline exceeded|Client\.Timeout|unexpected EOF|network is unreachable"),
    ("the provider process stopped", r"Plugin did not respond"),
    # A name Terraform generated (name_prefix: prefix + 26-digit timestamp/counter) that the cloud already had:
    # the SDK sent the create again after losing the first answer. The next attempt generates another name.
    ("a generated name was taken by a lost earlier answer",
     r"EntityAlreadyExists: \w+ with name \S*\d{26} already exists"),
)
_PERMANENT = [(cause, re.compile(pattern)) for cause, pattern in PERMANENT]
_TRANSIENT = [(cause, re.compile(pattern)) for cause, pattern in TRANSIENT]


def classify_text(text: str) -> tuple[bool, str]:
    """``(transient, cause)`` for Terraform's error output."""
    for cause, pattern in _PERMANENT:
        if pattern.search(text):
            return False, cause
    for cause, pattern in _TRANSIENT:
        if pattern.search(text):
            return True, cause
    return False, "an error the portal does not know to be temporary"


MAX_DETAIL = 300


def error_sentences(lines: list[str]) -> list[str]:
    """Each ``Error:`` of Terraform's output with the sentence that explains it (e.g. a variable's
    validation message), without the source excerpt and the "This was checked…" note."""
    found, i = [], 0
    while i < len(lines):
        if not lines[i].startswith("Error:"):
            i += 1
            continue
        summary, blocks, block, i = lines[i], [], [], i + 1
        while i < len(lines) and not lines[i].startswith("Error:"):
            if lines[i].strip():
                block.append(lines[i].strip())
            elif block:
                blocks.append(block)
                block = []
            i += 1
        if block:
            blocks.append(block)
        detail = next((" ".join(b) for b in blocks if not b[0].startswith(("on ", "with ", "This was checked",
                                                                             "Error message:"))), "")
        if len(detail) > MAX_DETAIL:
            detail = detail[:MAX_DETAIL] + "…"
        found.append(f"{summary}: {detail}" if detail and detail not in summary else summary)
    return found


def explain(error: BaseException) -> Failure:
    """A :class:`Failure` for whatever ended a run."""
    if isinstance(error, TerraformFailed):
        lines = [line.strip(" │╷╵") for line in error.tail]
        transient, cause = classify_text("\n".join(lines))
        detail = "; ".join(error_sentences(lines)) or (lines[-1] if lines else "")
        message = f"terraform {error.command} failed (exit {error.returncode}). {detail}".strip()
        return Failure(message, transient, cause)
    if getattr(error, "transient", None) is not None:  # the exception says so itself
        return Failure(str(error), bool(error.transient), "a service was unavailable" if error.transient
                       else "a permanent problem")
    if isinstance(error, SoftTimeLimitExceeded):
        return Failure("The run took longer than the worker's time limit; Terraform was interrupted "
                       "(its state is saved).", False, "the time limit")
    if isinstance(error, (TransientEngineError, DirectoryUnavailable, ConnectionError, TimeoutError)):
        return Failure(str(error) or type(error).__name__, True, "a service was unavailable")
    if isinstance(error, (EngineUnavailable, DirectoryError)):
        return Failure(str(error), False, "a permanent problem")
    return Failure(f"The worker could not carry out the run: {type(error).__name__}: {error}", False,
                   "an unexpected error")
