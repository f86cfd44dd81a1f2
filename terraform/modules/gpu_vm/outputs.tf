output "instance_id" {
  description = "EC2 instance id."
  value       = aws_instance.this.id
}

output "private_ip" {
  description = "Private IP address in the VPC."
  value       = aws_instance.this.private_ip
}

output "instance_type" {
  description = "The instance type that was created."
  value       = aws_instance.this.instance_type
}

output "gpu_count" {
  description = "Number of GPUs of the instance type."
  value       = lookup(local.gpu_count_by_type, aws_instance.this.instance_type, 0)
}
