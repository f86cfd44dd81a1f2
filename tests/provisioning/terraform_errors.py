# ruff: noqa: E501  (Terraform prints these lines whole; they are kept verbatim)
"""Error output captured from Terraform 1.11.4 with the AWS provider 5.100.0 (max_retries = 2).

How each was produced: a cpu_vm working dir pointed at the moto sandbox (bad AMI), at a closed
port (network), or at a small HTTP server answering every EC2 call with the given AWS error
(throttling, 5xx, no permission); two applies on one pg-backend schema (state lock); a tfvars
file with a string for a number (invalid value); a module referring to an undeclared variable
(configuration); SIGTERM to the whole process group during a create (provider gone).
"""

THROTTLED = """
Error: collecting instance settings: operation error EC2: DescribeImages, exceeded maximum number of attempts, 2, https response error StatusCode: 503, RequestID: req-1, api error RequestLimitExceeded: Request limit exceeded.

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {
"""

CLOUD_INTERNAL_ERROR = """
Error: collecting instance settings: operation error EC2: DescribeImages, exceeded maximum number of attempts, 2, https response error StatusCode: 500, RequestID: req-1, api error InternalError: An internal error has occurred

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {
"""

CONNECTION_REFUSED = """
Error: collecting instance settings: operation error EC2: DescribeImages, exceeded maximum number of attempts, 2, https response error StatusCode: 0, RequestID: , request send failed, Post "http://127.0.0.1:5409/": dial tcp 127.0.0.1:5409: connect: connection refused

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {
"""

STATE_LOCKED = """
Acquiring state lock. This may take a few moments...

Error: Error acquiring the state lock

Error message: Already locked for workspace creation: default
Lock Info:
  ID:        82096605-579f-0c85-1105-d82066f7ff90
  Path:
  Operation: OperationTypePlan
  Who:       root@vm
  Version:   1.11.4
  Created:   2026-11-23 17:34:45.543103175 +0000 UTC
  Info:


Terraform acquires a state lock to protect the state from being written
by multiple users at the same time. Please resolve the issue above and try
again. For most commands, you can disable locking with the "-lock=false"
flag, but this is not recommended.
"""

PROVIDER_GONE = """
Error: Plugin did not respond

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {

The plugin encountered an error, and failed to respond to the
plugin.(*GRPCProvider).ApplyResourceChange call. The plugin logs may contain
more details.
"""

NO_PERMISSION = """
Error: collecting instance settings: operation error EC2: DescribeImages, https response error StatusCode: 403, RequestID: req-1, api error UnauthorizedOperation: You are not authorized to perform this operation.

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {
"""

BAD_AMI = """
Error: collecting instance settings: couldn't find resource

  with aws_instance.this,
  on main.tf line 1, in resource "aws_instance" "this":
   1: resource "aws_instance" "this" {
"""

INVALID_VALUE = """
Error: Invalid value for input variable

  on bad.tfvars.json line 1:
   1: {"n": "abc"}

The given value is not suitable for var.n declared at main.tf:6,1-13: a
number is required.
"""

UNDECLARED_VARIABLE = """
Error: Reference to undeclared input variable

  on main.tf line 1, in output "x":
   1: output "x" { value = var.missing }

An input variable with the name "missing" has not been declared. This
variable can be declared with a variable "missing" {} block.
"""


def tail(text: str) -> list[str]:
    """As the runner hands it over: the lines, box-drawing characters and all stripped later."""
    return text.strip("\n").splitlines()

# Captured in CI (2026-12-03): the AWS SDK retried CreateRole after losing the sandbox's first answer.
GENERATED_NAME_TAKEN = """Error: creating IAM Role (parallel-6-vm-20261203185622050100000001): operation error IAM: \
CreateRole, https response error StatusCode: 409, RequestID: Xzy1Yr9YVt9TVs1FV03zyIEb5WMzOD6Ha9qOLnknG3SrgzJoAIfv, \
EntityAlreadyExists: Role with name parallel-6-vm-20261203185622050100000001 already exists."""
