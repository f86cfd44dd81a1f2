"""The failure classifier on real Terraform error output: retry what may pass, fail the rest at once."""

import pytest
from celery.exceptions import SoftTimeLimitExceeded

from provisioning.directory.errors import DirectoryUnavailable, InvalidGroupName
from provisioning.engines import EngineUnavailable, TransientEngineError
from provisioning.failures import classify_text, explain
from provisioning.runners.terraform import TerraformFailed

from . import terraform_errors as real


@pytest.mark.parametrize(("text", "cause"), [
    (real.THROTTLED, "throttled by the cloud"),
    (real.CLOUD_INTERNAL_ERROR, "the cloud is briefly unavailable"),
    (real.CONNECTION_REFUSED, "a network problem"),
    (real.STATE_LOCKED, "the state is locked by another run"),
    (real.PROVIDER_GONE, "the provider process stopped"),
    (real.GENERATED_NAME_TAKEN, "a generated name was taken by a lost earlier answer"),
])
def test_transient_errors_are_retried(text, cause):
    assert classify_text(text) == (True, cause)


@pytest.mark.parametrize(("text", "cause"), [
    (real.NO_PERMISSION, "no permission (cloud policy)"),
    (real.BAD_AMI, "an invalid value"),
    (real.INVALID_VALUE, "an invalid value"),
    (real.UNDECLARED_VARIABLE, "an error in the Terraform configuration"),
    ("Error: something nobody has seen before", "an error the portal does not know to be temporary"),
    ("Error: creating IAM Role (team-ml): EntityAlreadyExists: Role with name team-ml already exists.",
     "an error the portal does not know to be temporary"),  # a name someone chose: a person must look
])
def test_permanent_errors_fail_at_once(text, cause):
    assert classify_text(text) == (False, cause)


def test_permanent_wins_when_both_appear():
    assert classify_text(real.THROTTLED + real.NO_PERMISSION)[0] is False


def test_terraform_failure_message_names_the_error_lines():
    failure = explain(TerraformFailed("apply", 1, real.tail(real.STATE_LOCKED)))
    assert failure.transient
    assert failure.message.startswith("terraform apply failed (exit 1). Error: Error acquiring the state lock")


def test_the_message_says_why_a_value_was_refused():
    """A variable's validation message reaches the person, without the source excerpt."""
    failure = explain(TerraformFailed("plan", 1, real.tail(real.INVALID_VALUE)))
    assert failure.message == ("terraform plan failed (exit 1). Error: Invalid value for input variable: The given "
                               "value is not suitable for var.n declared at main.tf:6,1-13: a number is required.")


@pytest.mark.parametrize(("error", "transient"), [
    (DirectoryUnavailable("ldap://dir: connection refused"), True),
    (TransientEngineError("git remote busy"), True),
    (ConnectionResetError("reset"), True),
    (InvalidGroupName("bad name"), False),
    (EngineUnavailable("no scaffold engine"), False),
    (SoftTimeLimitExceeded(), False),
    (KeyError("x"), False),
])
def test_engine_exceptions(error, transient):
    assert explain(error).transient is transient
