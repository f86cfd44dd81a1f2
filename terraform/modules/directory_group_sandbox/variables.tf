variable "name" {
  description = "Group display name, unique in the identity store (the portal prefixes the team)."
  type        = string

  validation {
    condition     = can(regex("^[A-Za-z0-9][A-Za-z0-9 ._-]{0,127}$", var.name))
    error_message = "The group name must be 1 to 128 letters, digits, spaces, dots, hyphens and underscores, starting with a letter or digit."
  }
}

variable "description" {
  description = "What the group is for."
  type        = string
  default     = ""

  validation {
    condition     = length(var.description) <= 512
    error_message = "The description must be at most 512 characters."
  }
}

variable "member_user_names" {
  description = "User names of the members (identity-store user names)."
  type        = list(string)
  default     = []

  validation {
    condition     = length(distinct(var.member_user_names)) == length(var.member_user_names) && alltrue([for u in var.member_user_names : can(regex("^[A-Za-z0-9][A-Za-z0-9._@+-]{0,127}$", u))])
    error_message = "Member user names must be unique, 1 to 128 characters of letters, digits and . _ @ + -."
  }
}

variable "create_users" {
  description = "Sandbox demo only: create the member users in the identity store (false: they must exist)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item); written into the group's description, as identity-store groups have no tags."
  type        = map(string)
  default     = {}
}

variable "team_role" {
  description = "Make an IAM role for the group's members (output `team_role_arn`), which the team's VMs, buckets and clusters grant access to."
  type        = bool
  default     = true
}
