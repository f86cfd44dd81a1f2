locals {
  # One public subnet per AZ, each a /4 slice of the VPC; nodes get public IPs to reach the
  # EKS API and image registries without a NAT gateway.
  subnet_count = 2
  node_groups = merge(
    {
      cpu = {
        instance_types = var.cpu_instance_types
        ami_type       = "AL2023_x86_64_STANDARD"
        min_size       = var.cpu_min_size
        desired_size   = var.cpu_desired_size
        max_size       = var.cpu_max_size
        taints         = []
      }
    },
    var.gpu_enabled ? {
      gpu = {
        instance_types = var.gpu_instance_types
        ami_type       = "AL2023_x86_64_NVIDIA"
        min_size       = var.gpu_min_size
        desired_size   = var.gpu_desired_size
        max_size       = var.gpu_max_size
        # Only pods that ask for a GPU land on the (expensive) GPU nodes.
        taints = [{ key = "nvidia.com/gpu", value = "true", effect = "NO_SCHEDULE" }]
      }
    } : {},
  )
}

data "aws_availability_zones" "available" {
  state = "available"
}

# -- network -------------------------------------------------------------------------------
resource "aws_vpc" "this" {
  cidr_block           = var.vpc_cidr
  enable_dns_support   = true
  enable_dns_hostnames = true

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_subnet" "this" {
  count = local.subnet_count

  vpc_id                  = aws_vpc.this.id
  cidr_block              = cidrsubnet(var.vpc_cidr, 4, count.index)
  availability_zone       = data.aws_availability_zones.available.names[count.index]
  map_public_ip_on_launch = true

  tags = merge(var.tags, {
    Name                                = "${var.name}-${data.aws_availability_zones.available.names[count.index]}"
    "kubernetes.io/cluster/${var.name}" = "shared"
    "kubernetes.io/role/elb"            = "1"
  })
}

resource "aws_internet_gateway" "this" {
  vpc_id = aws_vpc.this.id

  tags = merge(var.tags, { Name = var.name })
}

resource "aws_route_table" "public" {
  vpc_id = aws_vpc.this.id

  route {
    cidr_block = "0.0.0.0/0"
    gateway_id = aws_internet_gateway.this.id
  }

  tags = merge(var.tags, { Name = "${var.name}-public" })
}

resource "aws_route_table_association" "public" {
  count = local.subnet_count

  subnet_id      = aws_subnet.this[count.index].id
  route_table_id = aws_route_table.public.id
}

# -- IAM -----------------------------------------------------------------------------------
data "aws_iam_policy_document" "eks_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["eks.amazonaws.com"]
    }
  }
}

data "aws_iam_policy_document" "node_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "cluster" {
  name               = "${var.name}-eks-cluster"
  assume_role_policy = data.aws_iam_policy_document.eks_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "cluster" {
  role       = aws_iam_role.cluster.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonEKSClusterPolicy"
}

resource "aws_iam_role" "node" {
  name               = "${var.name}-eks-node"
  assume_role_policy = data.aws_iam_policy_document.node_assume.json

  tags = var.tags
}

resource "aws_iam_role_policy_attachment" "node" {
  for_each = toset([
    "arn:aws:iam::aws:policy/AmazonEKSWorkerNodePolicy",
    "arn:aws:iam::aws:policy/AmazonEKS_CNI_Policy",
    "arn:aws:iam::aws:policy/AmazonEC2ContainerRegistryReadOnly",
  ])

  role       = aws_iam_role.node.name
  policy_arn = each.value
}

# -- EKS -----------------------------------------------------------------------------------
resource "aws_eks_cluster" "this" {
  name     = var.name
  version  = var.kubernetes_version
  role_arn = aws_iam_role.cluster.arn

  vpc_config {
    subnet_ids              = aws_subnet.this[*].id
    endpoint_public_access  = true
    endpoint_private_access = true
  }

  # Access entries (below) need the API authentication mode; set only when a team role is granted
  # (the sandbox does not know access entries, so clusters without a team role stay as before).
  dynamic "access_config" {
    for_each = var.team_role_arn == null ? [] : [1]
    content {
      authentication_mode = "API_AND_CONFIG_MAP"
    }
  }

  tags = var.tags

  # The role must be able to manage the cluster before it exists, and while it is deleted.
  depends_on = [aws_iam_role_policy_attachment.cluster]
}

resource "aws_eks_node_group" "this" {
  for_each = local.node_groups

  cluster_name    = aws_eks_cluster.this.name
  node_group_name = "${var.name}-${each.key}"
  node_role_arn   = aws_iam_role.node.arn
  subnet_ids      = aws_subnet.this[*].id
  instance_types  = each.value.instance_types
  ami_type        = each.value.ami_type
  capacity_type   = "ON_DEMAND"
  disk_size       = var.node_disk_size_gb

  scaling_config {
    min_size     = each.value.min_size
    desired_size = each.value.desired_size
    max_size     = each.value.max_size
  }

  labels = { "portal/node-kind" = each.key }

  dynamic "taint" {
    for_each = each.value.taints
    content {
      key    = taint.value.key
      value  = taint.value.value
      effect = taint.value.effect
    }
  }

  tags = merge(var.tags, { Name = "${var.name}-${each.key}" })

  lifecycle {
    # The sandbox (moto) reports a default remote_access (an SSH key) for every node group;
    # without this every plan would show drift. Nodes get no SSH access from this module.
    ignore_changes = [remote_access]

    precondition {
      condition = (
        each.value.min_size >= 0 && each.value.max_size >= 1
        && each.value.min_size <= each.value.desired_size && each.value.desired_size <= each.value.max_size
        && floor(each.value.min_size) == each.value.min_size && floor(each.value.desired_size) == each.value.desired_size
        && floor(each.value.max_size) == each.value.max_size
      )
      error_message = "Node group sizes must be whole numbers with 0 <= min <= desired <= max and max >= 1."
    }
    precondition {
      condition     = length(each.value.instance_types) > 0
      error_message = "A node group needs at least one instance type."
    }
  }

  depends_on = [aws_iam_role_policy_attachment.node, aws_route_table_association.public]
}

# -- getting in: the team's role administers the cluster's namespaces ------------------------
data "aws_partition" "current" {}
data "aws_region" "current" {}

resource "aws_eks_access_entry" "team" {
  count = var.team_role_arn == null ? 0 : 1

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = var.team_role_arn
  type          = "STANDARD"

  tags = var.tags
}

resource "aws_eks_access_policy_association" "team" {
  count = var.team_role_arn == null ? 0 : 1

  cluster_name  = aws_eks_cluster.this.name
  principal_arn = aws_eks_access_entry.team[0].principal_arn
  policy_arn    = "arn:${data.aws_partition.current.partition}:eks::aws:cluster-access-policy/AmazonEKSAdminPolicy"

  access_scope {
    type = "cluster"
  }
}
