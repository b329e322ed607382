# One worker pool = one ASG of Nomad clients for one cluster, with its own instance role (scoped
# to that cluster's buckets, Ahana's per-cluster access control) and a terminating lifecycle hook
# that hands every termination to the orchestrator's drain (issue 6, path 1).

locals {
  heartbeat_limit_seconds = min(100 * var.heartbeat_timeout_seconds, 172800)
  bucket_arns             = concat(var.s3_bucket_arns, var.s3_read_only_bucket_arns)
}

check "drain_fits_lifecycle_action" {
  assert {
    condition     = var.drain_timeout_seconds <= local.heartbeat_limit_seconds
    error_message = "drain_timeout_seconds (${var.drain_timeout_seconds}) exceeds what heartbeats can extend the lifecycle action to (min(100 x ${var.heartbeat_timeout_seconds}, 48 h) = ${local.heartbeat_limit_seconds} s)."
  }
}

# --- Instance role ----------------------------------------------------------------------------

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "instance" {
  name               = "${var.name}-instance"
  description        = "Nomad clients of ${var.cluster} (${var.environment})"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "instance" {
  statement {
    sid       = "ConsulCloudAutoJoin"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
  }

  dynamic "statement" {
    for_each = length(local.bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ClusterBucketsList"
      actions   = ["s3:ListBucket", "s3:GetBucketLocation"]
      resources = local.bucket_arns
    }
  }

  dynamic "statement" {
    for_each = length(local.bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ClusterBucketsRead"
      actions   = ["s3:GetObject"]
      resources = [for b in local.bucket_arns : "${b}/*"]
    }
  }

  dynamic "statement" {
    for_each = length(var.s3_bucket_arns) > 0 ? [1] : []
    content {
      sid       = "ClusterBucketsWrite"
      actions   = ["s3:PutObject", "s3:DeleteObject", "s3:AbortMultipartUpload", "s3:ListMultipartUploadParts"]
      resources = [for b in var.s3_bucket_arns : "${b}/*"]
    }
  }

  dynamic "statement" {
    for_each = var.consul_gossip_key_parameter == "" ? [] : [1]
    content {
      sid       = "ConsulGossipKey"
      actions   = ["ssm:GetParameter"]
      resources = ["arn:aws:ssm:*:*:parameter${var.consul_gossip_key_parameter}"]
    }
  }

  dynamic "statement" {
    for_each = var.consul_gossip_key_parameter == "" || var.kms_key_arn == "" ? [] : [1]
    content {
      sid       = "ConsulGossipKeyDecrypt"
      actions   = ["kms:Decrypt"]
      resources = [var.kms_key_arn]
    }
  }
}

resource "aws_iam_role_policy" "instance" {
  name   = "cluster-access"
  role   = aws_iam_role.instance.id
  policy = data.aws_iam_policy_document.instance.json
}

resource "aws_iam_role_policy_attachment" "session_manager" {
  count      = var.session_manager ? 1 : 0
  role       = aws_iam_role.instance.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_role_policy_attachment" "extra" {
  for_each   = toset(var.extra_policy_arns)
  role       = aws_iam_role.instance.name
  policy_arn = each.value
}

resource "aws_iam_instance_profile" "instance" {
  name = "${var.name}-instance"
  role = aws_iam_role.instance.name
}

# --- Launch template and ASG ------------------------------------------------------------------

resource "aws_launch_template" "this" {
  name_prefix            = "${var.name}-"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  vpc_security_group_ids = var.security_group_ids

  iam_instance_profile {
    arn = aws_iam_instance_profile.instance.arn
  }

  # IMDSv2 only. Hop limit 2: Trino containers (bridge network) use the instance role for S3;
  # that is why every cluster has its own pool and role.
  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 2
    instance_metadata_tags      = "disabled"
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = var.root_volume_gb
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(templatefile("${path.module}/user-data.yaml.tftpl", {
    node_env = {
      NODE_ROLE                   = "client"
      ENVIRONMENT                 = var.environment
      CLUSTER                     = var.cluster
      NODE_POOL                   = var.node_pool
      JOIN_TAG_KEY                = var.join_tag_key
      JOIN_TAG_VALUE              = var.join_tag_value
      CONSUL_GOSSIP_KEY_PARAMETER = var.consul_gossip_key_parameter
    }
  }))

  tag_specifications {
    resource_type = "instance"
    tags = merge(var.tags, {
      Name                            = var.name
      "presto-orchestrator:cluster"   = var.cluster
      "presto-orchestrator:node-pool" = var.node_pool
    })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "this" {
  name                = var.name
  vpc_zone_identifier = var.subnet_ids
  min_size            = var.min_size
  max_size            = var.max_size
  desired_capacity    = var.desired_capacity
  target_group_arns   = var.target_group_arns
  suspended_processes = var.suspended_processes
  capacity_rebalance  = false
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.this.id
    version = aws_launch_template.this.latest_version
  }

  # Replacing instances after a launch template change goes through the terminating hook, so
  # each replaced node is drained first; keep most capacity while that happens.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 90
      instance_warmup        = 120
    }
  }

  tag {
    key                 = "presto-orchestrator:cluster"
    value               = var.cluster
    propagate_at_launch = false
  }

  tag {
    key                 = "presto-orchestrator:environment"
    value               = var.environment
    propagate_at_launch = false
  }

  lifecycle {
    # The orchestrator and nomad-autoscaler own the size after creation.
    ignore_changes = [desired_capacity]
  }
}

# Every termination (scale-in, AZRebalance, instance refresh, health replacement) waits in
# Terminating:Wait until the orchestrator has drained the node and completed the action with
# CONTINUE, or until heartbeat_timeout passes without a heartbeat (then default_result).
resource "aws_autoscaling_lifecycle_hook" "drain" {
  name                    = "${var.name}-drain"
  autoscaling_group_name  = aws_autoscaling_group.this.name
  lifecycle_transition    = "autoscaling:EC2_INSTANCE_TERMINATING"
  heartbeat_timeout       = var.heartbeat_timeout_seconds
  default_result          = var.default_result
  notification_target_arn = var.lifecycle_queue_arn
  role_arn                = var.lifecycle_hook_role_arn
  notification_metadata = jsonencode({
    cluster     = var.cluster
    environment = var.environment
    node_pool   = var.node_pool
  })
}
