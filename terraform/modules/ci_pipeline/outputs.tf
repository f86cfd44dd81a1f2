output "project_name" {
  description = "CodeBuild project name (start a build with it)."
  value       = aws_codebuild_project.this.name
}

output "project_arn" {
  description = "CodeBuild project ARN."
  value       = aws_codebuild_project.this.arn
}

output "service_role_arn" {
  description = "IAM role the builds run as (grant it more only through a reviewed change)."
  value       = aws_iam_role.build.arn
}
