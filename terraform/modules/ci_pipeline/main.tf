data "aws_partition" "current" {}
data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  log_group_arn = "arn:${data.aws_partition.current.partition}:logs:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:log-group:/aws/codebuild/${var.name}"
}

data "aws_iam_policy_document" "assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["codebuild.amazonaws.com"]
    }
  }
}

# The builds may write their own logs, nothing else; steps that need more (pushing a model to a
# bucket) get it from a separate, reviewed grant.
data "aws_iam_policy_document" "build" {
  statement {
    actions   = ["logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"]
    resources = [local.log_group_arn, "${local.log_group_arn}:*"]
  }
}

resource "aws_iam_role" "build" {
  name               = "${var.name}-codebuild"
  assume_role_policy = data.aws_iam_policy_document.assume.json

  tags = var.tags
}

resource "aws_iam_role_policy" "build" {
  name   = "build-logs"
  role   = aws_iam_role.build.id
  policy = data.aws_iam_policy_document.build.json
}

resource "aws_codebuild_project" "this" {
  name          = var.name
  description   = "Builds ${var.repo_url} (${var.branch})"
  service_role  = aws_iam_role.build.arn
  build_timeout = var.build_timeout_minutes

  source {
    type            = var.source_type
    location        = var.repo_url
    git_clone_depth = 1
    buildspec       = var.buildspec != "" ? var.buildspec : null
  }
  source_version = var.branch

  artifacts {
    type = "NO_ARTIFACTS"
  }

  environment {
    type                        = "LINUX_CONTAINER"
    compute_type                = var.compute_type
    image                       = var.image
    image_pull_credentials_type = "CODEBUILD"

    dynamic "environment_variable" {
      for_each = var.environment_variables
      content {
        name  = environment_variable.key
        value = environment_variable.value
        type  = "PLAINTEXT"
      }
    }
  }

  tags = merge(var.tags, { Name = var.name })

  # The role's permissions must exist before CodeBuild checks that it can assume the role.
  depends_on = [aws_iam_role_policy.build]
}
