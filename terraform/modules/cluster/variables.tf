variable "name" {
  description = "Cluster name, unique within the account and region (the portal prefixes the team)."
  type        = string

  validation {
    # EKS allows 100 characters; the IAM role names derived from it must stay under 64.
    condition     = can(regex("^[A-Za-z][A-Za-z0-9-]{0,39}$", var.name))
    error_message = "The name must start with a letter and hold at most 40 letters, digits and hyphens."
  }
}

variable "kubernetes_version" {
  description = "Kubernetes minor version, e.g. \"1.31\"; admin-fixed in the template version."
  type        = string

  validation {
    condition     = can(regex("^1\\.[0-9]{1,2}$", var.kubernetes_version))
    error_message = "The Kubernetes version must look like 1.31."
  }
}

variable "vpc_cidr" {
  description = "CIDR block of the cluster's VPC (/16 to /24); admin-fixed in the template version."
  type        = string

  validation {
    condition     = can(cidrnetmask(var.vpc_cidr)) && try(tonumber(split("/", var.vpc_cidr)[1]) >= 16 && tonumber(split("/", var.vpc_cidr)[1]) <= 24, false)
    error_message = "The VPC CIDR must be an IPv4 block from /16 to /24, e.g. 10.20.0.0/16."
  }
}

variable "cpu_instance_types" {
  description = "Instance types of the CPU node group (first one preferred)."
  type        = list(string)

  validation {
    condition     = length(var.cpu_instance_types) > 0 && alltrue([for t in var.cpu_instance_types : can(regex("^[a-z][a-z0-9-]*\\.[0-9a-z]+$", t))])
    error_message = "Give at least one instance type, like m6i.xlarge."
  }
}

variable "cpu_min_size" {
  description = "Minimum number of CPU nodes."
  type        = number
  default     = 1
}

variable "cpu_desired_size" {
  description = "Desired number of CPU nodes."
  type        = number
  default     = 2
}

variable "cpu_max_size" {
  description = "Maximum number of CPU nodes."
  type        = number
  default     = 3
}

variable "gpu_enabled" {
  description = "Whether the cluster gets a GPU node group."
  type        = bool
  default     = false
}

variable "gpu_instance_types" {
  description = "Instance types of the GPU node group (used when gpu_enabled)."
  type        = list(string)
  default     = ["g5.xlarge"]

  validation {
    condition     = alltrue([for t in var.gpu_instance_types : can(regex("^(g4dn|g5|p3|p4d)\\.[0-9a-z]+$", t))])
    error_message = "GPU node types must belong to the g4dn, g5, p3 or p4d family."
  }
}

variable "gpu_min_size" {
  description = "Minimum number of GPU nodes (0 lets the group scale to zero when idle)."
  type        = number
  default     = 0
}

variable "gpu_desired_size" {
  description = "Desired number of GPU nodes."
  type        = number
  default     = 0
}

variable "gpu_max_size" {
  description = "Maximum number of GPU nodes."
  type        = number
  default     = 1
}

variable "node_disk_size_gb" {
  description = "Root volume size of every node in GiB."
  type        = number
  default     = 50

  validation {
    condition     = var.node_disk_size_gb == floor(var.node_disk_size_gb) && var.node_disk_size_gb >= 20 && var.node_disk_size_gb <= 16384
    error_message = "The node disk size must be a whole number of GiB between 20 and 16384."
  }
}

variable "tags" {
  description = "Ownership tags set by the portal (team, request, item)."
  type        = map(string)
  default     = {}
}

variable "team_role_arn" {
  description = "The team's role (from its directory group); it gets an EKS access entry with AmazonEKSAdminPolicy. null: nobody is granted anything."
  type        = string
  default     = null

  validation {
    condition     = var.team_role_arn == null || can(regex("^arn:aws[a-z-]*:iam::[0-9]{12}:role/[A-Za-z0-9+=,.@_/-]+$", var.team_role_arn))
    error_message = "The team role must be an IAM role ARN."
  }
}
