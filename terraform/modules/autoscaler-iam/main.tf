# nomad-autoscaler's policy for its aws-asg target (job-templates/system/nomad-autoscaler.json.ftl):
# resize and shrink the worker pools' ASGs, and nothing else. The actions are the Auto Scaling calls
# the aws-asg plugin of nomad-autoscaler 0.5.0 makes; TestInfrastructureAgreement checks the list.
# Attach it to the role the autoscaler runs with (the example environment: the system pool's instance role).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  asgs = "arn:aws:autoscaling:${data.aws_region.current.name}:${data.aws_caller_identity.current.account_id}:autoScalingGroup:*:autoScalingGroupName/${var.asg_name_prefix}*"
}

data "aws_iam_policy_document" "autoscaler" {
  statement {
    sid       = "ScaleWorkerPools"
    actions   = ["autoscaling:UpdateAutoScalingGroup", "autoscaling:TerminateInstanceInAutoScalingGroup", "autoscaling:CreateOrUpdateTags"]
    resources = [local.asgs]
  }

  statement {
    sid       = "DescribeAutoScaling"
    actions   = ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeScalingActivities", "autoscaling:DescribeInstanceRefreshes"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "autoscaler" {
  name        = var.name
  description = "nomad-autoscaler aws-asg target: scale ASGs named ${var.asg_name_prefix}*"
  policy      = data.aws_iam_policy_document.autoscaler.json
  tags        = var.tags
}
