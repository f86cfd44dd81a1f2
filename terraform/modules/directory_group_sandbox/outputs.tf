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
