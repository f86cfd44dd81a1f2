output "cluster_name" {
  description = "EKS cluster name."
  value       = aws_eks_cluster.this.name
}

output "cluster_endpoint" {
  description = "URL of the Kubernetes API server."
  value       = aws_eks_cluster.this.endpoint
}

output "cluster_arn" {
  description = "EKS cluster ARN."
  value       = aws_eks_cluster.this.arn
}

output "cpu_node_group_name" {
  description = "Name of the CPU node group."
  value       = aws_eks_node_group.this["cpu"].node_group_name
}

output "node_group_names" {
  description = "Names of all node groups (the CPU one, plus the GPU one when enabled)."
  value       = [for group in values(aws_eks_node_group.this) : group.node_group_name]
}

output "vpc_id" {
  description = "The cluster's VPC."
  value       = aws_vpc.this.id
}

output "region" {
  description = "Region of the cluster (for the connect commands)."
  value       = data.aws_region.current.name
}

output "team_role_arn" {
  description = "The role with an access entry on the cluster (empty: none)."
  value       = var.team_role_arn == null ? "" : var.team_role_arn
}
