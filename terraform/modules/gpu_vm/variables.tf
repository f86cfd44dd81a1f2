variable "name" {
  description = "Name of the machine, unique within the team."
  type        = string

  validation {
    condition     = length(var.name) > 0 && length(var.name) <= 128
    error_message = "The name must be 1 to 128 characters long."
  }
}

variable "instance_type" {
  description = "EC2 GPU instance type, one of the template's allowed list (families g4dn, g5, p3, p4d)."
  type        = string

  validation {
    condition     = can(regex("^(g4dn|g5|p3|p4d)\\.[0-9a-z]+$", var.instance_type))
    error_message = "The instance type must belong to the g4dn, g5, p3 or p4d family."
  }
}

variable "disk_size_gb" {
  description = "Root volume size in GiB (datasets, checkpoints, CUDA images)."
  type        = number

  validation {
    condition     = var.disk_size_gb == floor(var.disk_size_gb) && var.disk_size_gb >= 8 && var.disk_size_gb <= 16384
    error_message = "The disk size must be a whole number of GiB between 8 and 16384."
  }
}

variable "purpose" {
  description = "What the team uses the machine for (stored as a tag)."
  type        = string
  default     = ""
}

variable "ami" {
  description = "Machine image (a GPU/deep-learning AMI); admin-fixed in the template version."
  type        = string

  validation {
    condition     = can(regex("^ami-[0-9a-f]{8,17}$", var.ami))
    error_message = "The AMI must be an image id like ami-0123456789abcdef0."
  }
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item)."
  type        = map(string)
  default     = {}
}
