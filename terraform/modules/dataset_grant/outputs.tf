output "policy_name" {
  description = "The inline policy's name on the team's role."
  value       = aws_iam_role_policy.this.name
}

output "role_name" {
  description = "The team's role that holds the grant."
  value       = local.role_name
}

output "location" {
  description = "What is granted: s3://bucket/prefix."
  value       = "s3://${var.bucket}/${var.prefix}"
}

output "access" {
  description = "read or read_write."
  value       = var.access
}
