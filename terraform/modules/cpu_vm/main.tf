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
    Name    = var.name
    Purpose = var.purpose
  })
}
