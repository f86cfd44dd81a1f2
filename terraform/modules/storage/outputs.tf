output "bucket_name" {
  description = "The bucket's name."
  value       = aws_s3_bucket.this.id
}

output "bucket_arn" {
  description = "The bucket's ARN (for IAM policies)."
  value       = aws_s3_bucket.this.arn
}

output "region" {
  description = "Region of the bucket (for the connect commands)."
  value       = aws_s3_bucket.this.region
}

output "team_role_arn" {
  description = "The role the bucket policy grants read-write (empty: none)."
  value       = var.team_role_arn == null ? "" : var.team_role_arn
}
