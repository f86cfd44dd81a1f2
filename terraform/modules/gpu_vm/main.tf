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
