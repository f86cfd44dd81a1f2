variable "name" {
  description = "CodeBuild project name, unique within the account and region (the portal prefixes the team)."
  type        = string

  validation {
    # CodeBuild allows 255 characters; the IAM role name derived from it must stay under 64.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9_-]{1,49}$", var.name))
    error_message = "The name must start with a letter and hold 2 to 50 letters, digits, hyphens and underscores."
  }
}

variable "repo_url" {
  description = "Clone URL of the team's repository (the one the portal created): https://, or http:// on loopback (the sandbox's local git server)."
  type        = string

  validation {
    # The same pattern as repo_url in the ci-pipeline template's schema (portal/catalog/seed/team_tools.py).
    condition     = can(regex("^(https://[A-Za-z0-9.-]+|http://(127[.]0[.]0[.]1|localhost|\\[::1\\]))(:[0-9]+)?/[A-Za-z0-9._~/-]+$", var.repo_url))
    error_message = "The repository URL must be an https:// clone URL (http:// only to 127.0.0.1, localhost or [::1])."
  }
}

variable "source_type" {
  description = "Where the repository lives, as CodeBuild names it; admin-fixed per git host."
  type        = string

  validation {
    condition     = contains(["GITHUB", "GITHUB_ENTERPRISE", "GITLAB", "GITLAB_SELF_MANAGED", "BITBUCKET", "CODECOMMIT"], var.source_type)
    error_message = "The source type must be one of GITHUB, GITHUB_ENTERPRISE, GITLAB, GITLAB_SELF_MANAGED, BITBUCKET, CODECOMMIT."
  }
}

variable "branch" {
  description = "Branch built by default."
  type        = string
  default     = "main"

  validation {
    condition     = can(regex("^[A-Za-z0-9._/-]{1,200}$", var.branch)) && !strcontains(var.branch, "..")
    error_message = "The branch must be a plain git branch name."
  }
}

variable "buildspec" {
  description = "Inline buildspec YAML; empty uses buildspec.yml from the repository (the scaffolds ship one)."
  type        = string
  default     = ""
}

variable "compute_type" {
  description = "Size of the build machine."
  type        = string
  default     = "BUILD_GENERAL1_SMALL"

  validation {
    condition     = contains(["BUILD_GENERAL1_SMALL", "BUILD_GENERAL1_MEDIUM", "BUILD_GENERAL1_LARGE", "BUILD_GENERAL1_2XLARGE"], var.compute_type)
    error_message = "The compute type must be BUILD_GENERAL1_SMALL, _MEDIUM, _LARGE or _2XLARGE."
  }
}

variable "image" {
  description = "Build image, e.g. aws/codebuild/standard:7.0; admin-fixed in the template version."
  type        = string

  validation {
    condition     = length(var.image) > 0
    error_message = "The build image must be given."
  }
}

variable "build_timeout_minutes" {
  description = "A build running longer than this is stopped."
  type        = number
  default     = 60

  validation {
    condition     = var.build_timeout_minutes == floor(var.build_timeout_minutes) && var.build_timeout_minutes >= 5 && var.build_timeout_minutes <= 2160
    error_message = "The build timeout must be a whole number of minutes from 5 to 2160."
  }
}

variable "environment_variables" {
  description = "Plain-text environment variables of every build (no secrets here)."
  type        = map(string)
  default     = {}

  validation {
    condition     = alltrue([for k in keys(var.environment_variables) : can(regex("^[A-Za-z_][A-Za-z0-9_]*$", k)) && !startswith(k, "CODEBUILD_")])
    error_message = "Environment variable names must be shell-style identifiers and not start with CODEBUILD_."
  }
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item)."
  type        = map(string)
  default     = {}
}
