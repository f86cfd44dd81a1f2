variable "name" {
  description = "The grant's name (dataset and team); names the inline policy on the team's role."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9-]{0,99}$", var.name))
    error_message = "The grant's name holds lowercase letters, digits and hyphens (at most 100)."
  }
}

variable "team_role_arn" {
  description = "The requesting team's role (from its directory group; set by the portal), which the policy is put on."
  type        = string
  default     = null

  validation {
    condition     = var.team_role_arn != null && can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.team_role_arn))
    error_message = "A grant needs the team's role: an IAM role ARN from the team's directory group."
  }
}

variable "bucket" {
  description = "The dataset's bucket."
  type        = string

  validation {
    condition     = can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.bucket))
    error_message = "The bucket name must follow S3 naming rules."
  }
}

variable "prefix" {
  description = "The dataset's prefix in the bucket (a folder ending in /); empty: the whole bucket."
  type        = string
  default     = ""

  validation {
    condition     = var.prefix == "" || can(regex("^[A-Za-z0-9!_.*'()/-]+/$", var.prefix))
    error_message = "The prefix is a folder path ending in /."
  }
}

variable "access" {
  description = "read (list and get) or read_write (also put and delete)."
  type        = string
  default     = "read"

  validation {
    condition     = contains(["read", "read_write"], var.access)
    error_message = "The access must be read or read_write."
  }
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item); an inline policy has no tags."
  type        = map(string)
  default     = {}
}
