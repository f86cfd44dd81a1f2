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
