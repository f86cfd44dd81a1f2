output "group_id" {
  description = "Identity-store group id."
  value       = aws_identitystore_group.this.group_id
}

output "group_name" {
  description = "Group display name."
  value       = aws_identitystore_group.this.display_name
}

output "member_count" {
  description = "Number of members."
  value       = length(aws_identitystore_group_membership.this)
}

output "identity_store_id" {
  description = "The identity store holding the group."
  value       = local.identity_store_id
}

output "team_role_arn" {
  description = "The group's IAM role, granted by the team's other resources (empty when team_role is false)."
  value       = var.team_role ? aws_iam_role.team[0].arn : ""
}

output "team_role_name" {
  description = "The group's IAM role name (for `aws sts assume-role` and the Identity Center permission set)."
  value       = var.team_role ? aws_iam_role.team[0].name : ""
}
