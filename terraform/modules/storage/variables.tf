variable "name" {
  description = "The full, globally unique bucket name (the portal prefixes organisation and team)."
  type        = string

  validation {
    condition = (
      can(regex("^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$", var.name))
      && !strcontains(var.name, "..") && !strcontains(var.name, ".-") && !strcontains(var.name, "-.")
      && !can(regex("^[0-9]+\\.[0-9]+\\.[0-9]+\\.[0-9]+$", var.name))
      && !startswith(var.name, "xn--") && !startswith(var.name, "sthree-")
      && !endswith(var.name, "-s3alias") && !endswith(var.name, "--ol-s3")
    )
    error_message = "The bucket name must follow S3 naming rules: 3 to 63 lowercase letters, digits, dots and hyphens, starting and ending with a letter or digit, not shaped like an IP address."
  }
}

variable "sse_algorithm" {
  description = "Server-side encryption: AES256 (S3-managed keys) or aws:kms."
  type        = string
  default     = "AES256"

  validation {
    condition     = contains(["AES256", "aws:kms"], var.sse_algorithm)
    error_message = "The encryption must be AES256 or aws:kms."
  }
}

variable "kms_key_arn" {
  description = "KMS key for aws:kms encryption; null uses the account's AWS-managed aws/s3 key."
  type        = string
  default     = null

  validation {
    condition     = var.kms_key_arn == null || can(regex("^arn:aws[a-z-]*:kms:[a-z0-9-]+:[0-9]{12}:(key|alias)/.+$", var.kms_key_arn))
    error_message = "The KMS key must be given as a key or alias ARN."
  }
}

variable "versioning" {
  description = "Keep every version of every object."
  type        = bool
  default     = true
}

variable "lifecycle_days" {
  description = "Delete objects (and old versions) this many days after they were written; 0 keeps them."
  type        = number
  default     = 0

  validation {
    condition     = var.lifecycle_days == floor(var.lifecycle_days) && var.lifecycle_days >= 0 && var.lifecycle_days <= 36500
    error_message = "The lifecycle must be a whole number of days from 0 (keep forever) to 36500."
  }
}

variable "force_destroy" {
  description = "Whether decommissioning deletes a bucket that still holds objects (false: it fails instead)."
  type        = bool
  default     = false
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item)."
  type        = map(string)
  default     = {}
}

variable "team_role_arn" {
  description = "The team's role (from its directory group); the bucket policy grants it read-write. null: nobody is granted anything."
  type        = string
  default     = null

  validation {
    condition     = var.team_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.team_role_arn))
    error_message = "The team role must be an IAM role ARN."
  }
}
