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

output "instance_state" {
  description = "\"running\" or \"stopped\"."
  value       = aws_ec2_instance_state.this.state
}

output "instance_arn" {
  description = "EC2 instance ARN."
  value       = aws_instance.this.arn
}

output "instance_profile_name" {
  description = "Instance profile giving the machine Systems Manager access."
  value       = aws_iam_instance_profile.this.name
}

output "instance_role_name" {
  description = "The machine's own IAM role (behind the instance profile)."
  value       = aws_iam_role.instance.name
}

output "region" {
  description = "Region of the machine (for the connect commands)."
  value       = data.aws_region.current.name
}

output "notebook_port" {
  description = "Port of the notebook server on the machine (0: none)."
  value       = var.notebook_port
}

output "team_role_arn" {
  description = "The role granted Systems Manager sessions on the machine (empty: none)."
  value       = var.team_role_arn == null ? "" : var.team_role_arn
}
