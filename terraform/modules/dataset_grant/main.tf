locals {
  role_name  = element(split("/", var.team_role_arn), length(split("/", var.team_role_arn)) - 1)
  bucket_arn = "arn:aws:s3:::${var.bucket}"
  read       = ["s3:GetObject", "s3:GetObjectVersion"]
  write      = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload"]
}

# The grant is an inline policy on the requesting team's role, in this item's own state: destroying
# the item (expiry, revocation, decommission) removes exactly this grant and nothing else.
resource "aws_iam_role_policy" "this" {
  name = "dataset-${var.name}"
  role = local.role_name
  policy = jsonencode({
    Version = "2012-10-17"
    Statement = [
      {
        Sid       = "ListThePrefix"
        Effect    = "Allow"
        Action    = ["s3:ListBucket"]
        Resource  = [local.bucket_arn]
        Condition = { StringLike = { "s3:prefix" = ["${var.prefix}*"] } }
      },
      {
        Sid      = "Objects"
        Effect   = "Allow"
        Action   = var.access == "read_write" ? concat(local.read, local.write) : local.read
        Resource = ["${local.bucket_arn}/${var.prefix}*"]
      },
    ]
  })
}
