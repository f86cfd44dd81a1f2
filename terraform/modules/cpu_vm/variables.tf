variable "name" {
  description = "Name of the machine, unique within the team."
  type        = string
}

variable "instance_type" {
  description = "EC2 instance type, one of the template's allowed list."
  type        = string
}

variable "disk_size_gb" {
  description = "Root volume size in GiB."
  type        = number
}

variable "purpose" {
  description = "What the team uses the machine for (stored as a tag)."
  type        = string
  default     = ""
}

variable "ami" {
  description = "Machine image; admin-fixed in the template version."
  type        = string
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item)."
  type        = map(string)
  default     = {}
}

variable "team_role_arn" {
  description = "The team's role (from its directory group); it may open Systems Manager sessions on the machine. null: nobody is granted anything."
  type        = string
  default     = null

  validation {
    condition     = var.team_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.team_role_arn))
    error_message = "The team role must be an IAM role ARN."
  }
}

variable "notebook_port" {
  description = "Port the machine's image serves Jupyter on (localhost only, reached through an SSM port forward); 0: no notebook."
  type        = number
  default     = 0

  validation {
    condition     = var.notebook_port == 0 || (var.notebook_port == floor(var.notebook_port) && var.notebook_port >= 1024 && var.notebook_port <= 65535)
    error_message = "The notebook port must be 0 (none) or a whole number from 1024 to 65535."
  }
}

variable "instance_state" {
  description = "Set by the portal, never by requesters: \"running\" or \"stopped\" (idle machines are stopped)."
  type        = string
  default     = "running"

  validation {
    condition     = contains(["running", "stopped"], var.instance_state)
    error_message = "The instance state must be \"running\" or \"stopped\"."
  }
}
