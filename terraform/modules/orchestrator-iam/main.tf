# The orchestrator's least-privilege policy. Every action the Java code calls through the AWS SDK
# must be here: TestInfrastructureAgreement maps the SDK calls under orchestrator/src/main to IAM
# actions and fails when one is missing. Attach the policy to the role the orchestrator runs
# with (the example environment: the system pool's instance role).

data "aws_region" "current" {}
data "aws_caller_identity" "current" {}

locals {
  region    = data.aws_region.current.name
  account   = data.aws_caller_identity.current.account_id
  parameter = "arn:aws:ssm:${local.region}:${local.account}:parameter${var.ssm_prefix}"
}

data "aws_iam_policy_document" "orchestrator" {
  statement {
    sid       = "ReadOwnParameters"
    actions   = ["ssm:GetParametersByPath", "ssm:GetParameter", "ssm:GetParameters"]
    resources = [local.parameter, "${local.parameter}/*"]
  }

  statement {
    sid       = "DecryptSecureStrings"
    actions   = ["kms:Decrypt"]
    resources = [var.kms_key_arn]
    condition {
      test     = "StringEquals"
      variable = "kms:ViaService"
      values   = ["ssm.${local.region}.amazonaws.com"]
    }
  }

  statement {
    sid       = "CompleteLifecycleActions"
    actions   = ["autoscaling:CompleteLifecycleAction", "autoscaling:RecordLifecycleActionHeartbeat"]
    resources = ["arn:aws:autoscaling:${local.region}:${local.account}:autoScalingGroup:*:autoScalingGroupName/${var.asg_name_prefix}*"]
  }

  statement {
    sid       = "DescribeAutoScaling"
    actions   = ["autoscaling:DescribeAutoScalingGroups", "autoscaling:DescribeAutoScalingInstances"]
    resources = ["*"]
  }

  statement {
    sid       = "ConsumeLifecycleQueue"
    actions   = ["sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes", "sqs:ChangeMessageVisibility"]
    resources = [var.lifecycle_queue_arn]
  }

  statement {
    sid       = "DescribeInstances"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }
}

resource "aws_iam_policy" "orchestrator" {
  name        = var.name
  description = "presto-orchestrator: SSM read on ${var.ssm_prefix}, lifecycle actions on ${var.asg_name_prefix}*, lifecycle queue"
  policy      = data.aws_iam_policy_document.orchestrator.json
  tags        = var.tags
}
