data "aws_ssoadmin_instances" "this" {}

locals {
  identity_store_id = one(data.aws_ssoadmin_instances.this.identity_store_ids)
  members           = toset(var.member_user_names)

  # Identity-store groups cannot be tagged: the ownership tags go into the description instead.
  owner_note  = length(var.tags) > 0 ? "[${join(", ", [for k in sort(keys(var.tags)) : "${k}=${var.tags[k]}"])}]" : ""
  description = join(" ", compact([var.description, local.owner_note]))

  member_ids = {
    for user in local.members : user => (
      var.create_users ? aws_identitystore_user.created[user].user_id : data.aws_identitystore_user.existing[user].user_id
    )
  }
}

resource "aws_identitystore_group" "this" {
  identity_store_id = local.identity_store_id
  display_name      = var.name
  description       = local.description != "" ? local.description : null
}

# Sandbox demo: users made up from their user names.
resource "aws_identitystore_user" "created" {
  for_each = var.create_users ? local.members : toset([])

  identity_store_id = local.identity_store_id
  user_name         = each.value
  display_name      = each.value

  name {
    given_name  = each.value
    family_name = "Sandbox"
  }
}

# Normal case: the users exist already; a missing one fails the plan before anything changes.
data "aws_identitystore_user" "existing" {
  for_each = var.create_users ? toset([]) : local.members

  identity_store_id = local.identity_store_id

  alternate_identifier {
    unique_attribute {
      attribute_path  = "UserName"
      attribute_value = each.value
    }
  }
}

resource "aws_identitystore_group_membership" "this" {
  for_each = local.members

  identity_store_id = local.identity_store_id
  group_id          = aws_identitystore_group.this.group_id
  member_id         = local.member_ids[each.value]
}

# -- the team's principal -------------------------------------------------------------------
# A bucket policy or an EKS access entry cannot name an identity-store group: the group gets a role
# that the other modules grant (its ARN is fed to them as `team_role_arn`). The role trusts the
# account; who in the account may assume it is decided by identity policy — on AWS, the IAM
# Identity Center permission set assigned to this group (see the README).
data "aws_caller_identity" "current" {}
data "aws_partition" "current" {}

data "aws_iam_policy_document" "team_assume" {
  statement {
    actions = ["sts:AssumeRole", "sts:TagSession"]
    principals {
      type        = "AWS"
      identifiers = ["arn:${data.aws_partition.current.partition}:iam::${data.aws_caller_identity.current.account_id}:root"]
    }
  }
}

resource "aws_iam_role" "team" {
  count = var.team_role ? 1 : 0

  name_prefix          = "${substr(replace(var.name, " ", "-"), 0, 32)}-team"
  description          = "Members of the directory group ${var.name}"
  assume_role_policy   = data.aws_iam_policy_document.team_assume.json
  max_session_duration = 43200
  # The team's VMs put their session grants on this role (inline policies in their own state): removing
  # the group removes them too, instead of failing while a VM still grants the role.
  force_detach_policies = true

  tags = merge(var.tags, { "portal:group" = aws_identitystore_group.this.group_id })
}
