locals {
  # GPUs per offered instance type; the template version's allowed list is a subset of these keys.
  gpu_count_by_type = {
    "g4dn.xlarge"   = 1
    "g4dn.2xlarge"  = 1
    "g4dn.4xlarge"  = 1
    "g4dn.8xlarge"  = 1
    "g4dn.12xlarge" = 4
    "g4dn.16xlarge" = 1
    "g5.xlarge"     = 1
    "g5.2xlarge"    = 1
    "g5.4xlarge"    = 1
    "g5.8xlarge"    = 1
    "g5.12xlarge"   = 4
    "g5.16xlarge"   = 1
    "g5.24xlarge"   = 4
    "g5.48xlarge"   = 8
    "p3.2xlarge"    = 1
    "p3.8xlarge"    = 4
    "p3.16xlarge"   = 8
    "p4d.24xlarge"  = 8
  }
}

resource "aws_instance" "this" {
  ami           = var.ami
  instance_type = var.instance_type

  iam_instance_profile = aws_iam_instance_profile.this.name

  root_block_device {
    volume_size = var.disk_size_gb
    volume_type = "gp3"
    encrypted   = true
  }

  metadata_options {
    http_tokens = "required"
  }

  tags = merge(var.tags, {
    Name     = var.name
    Purpose  = var.purpose
    GpuCount = tostring(lookup(local.gpu_count_by_type, var.instance_type, 0))
  })

  lifecycle {
    precondition {
      condition     = contains(keys(local.gpu_count_by_type), var.instance_type)
      error_message = "The instance type is not one of the GPU types this module offers."
    }
  }
}

# -- getting in: Systems Manager sessions, no SSH key, no open port ----------------------------
data "aws_partition" "current" {}
data "aws_region" "current" {}

data "aws_iam_policy_document" "instance_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

# The machine's own role: only what the SSM agent needs to register and serve sessions.
resource "aws_iam_role" "instance" {
  name_prefix        = "${substr(var.name, 0, 30)}-vm-"
  assume_role_policy = data.aws_iam_policy_document.instance_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "ssm_core" {
  role       = aws_iam_role.instance.name
  policy_arn = "arn:${data.aws_partition.current.partition}:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "this" {
  name_prefix = "${substr(var.name, 0, 30)}-vm-"
  role        = aws_iam_role.instance.name

  tags = var.tags
}

# The team's role may open sessions (a shell, or a port forward to the notebook) on this machine
# only; the grant lives and dies with the machine.
data "aws_iam_policy_document" "team_sessions" {
  statement {
    sid     = "StartSessionsOnThisMachine"
    actions = ["ssm:StartSession"]
    resources = [
      aws_instance.this.arn,
      "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}::document/AWS-StartSSMSession",
      "arn:${data.aws_partition.current.partition}:ssm:${data.aws_region.current.name}::document/AWS-StartPortForwardingSession",
    ]
  }
  statement {
    sid       = "EndOwnSessions"
    actions   = ["ssm:TerminateSession", "ssm:ResumeSession"]
    resources = ["arn:${data.aws_partition.current.partition}:ssm:*:*:session/$${aws:userid}-*"]
  }
}

resource "aws_iam_role_policy" "team_sessions" {
  count = var.team_role_arn == null ? 0 : 1

  name   = "portal-ssm-${aws_instance.this.id}"
  role   = regex("[^/]+$", var.team_role_arn)
  policy = data.aws_iam_policy_document.team_sessions.json
}

# Stopped or running, as the portal asks (idle machines are stopped, not destroyed).
resource "aws_ec2_instance_state" "this" {
  instance_id = aws_instance.this.id
  state       = var.instance_state
}
