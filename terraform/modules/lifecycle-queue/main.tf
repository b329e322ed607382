# The queue every worker pool's lifecycle hook sends to, its dead-letter queue, and the role
# Auto Scaling assumes to send there.

resource "aws_sqs_queue" "dead_letter" {
  name                      = "${var.name}-dlq"
  message_retention_seconds = 1209600
  sqs_managed_sse_enabled   = true
  tags                      = var.tags
}

resource "aws_sqs_queue" "this" {
  name                       = var.name
  visibility_timeout_seconds = var.visibility_timeout_seconds
  # A lifecycle action outlives no more than 48 h; a day of backlog covers an orchestrator outage.
  message_retention_seconds = 86400
  receive_wait_time_seconds = 20
  sqs_managed_sse_enabled   = true
  redrive_policy = jsonencode({
    deadLetterTargetArn = aws_sqs_queue.dead_letter.arn
    maxReceiveCount     = var.max_receive_count
  })
  tags = var.tags
}

data "aws_iam_policy_document" "autoscaling_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["autoscaling.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "hook" {
  name               = "${var.name}-hook"
  description        = "Auto Scaling sends lifecycle hook notifications to ${var.name}"
  assume_role_policy = data.aws_iam_policy_document.autoscaling_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "hook" {
  statement {
    actions   = ["sqs:SendMessage", "sqs:GetQueueUrl"]
    resources = [aws_sqs_queue.this.arn]
  }
}

resource "aws_iam_role_policy" "hook" {
  name   = "send-lifecycle-notifications"
  role   = aws_iam_role.hook.id
  policy = data.aws_iam_policy_document.hook.json
}
