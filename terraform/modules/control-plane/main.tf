# Three Nomad + Consul servers, one per AZ, in an ASG of fixed size 3. Servers find each other by
# the join tag (cloud auto-join); a replaced server rejoins the same way and autopilot removes the
# dead one.

locals {
  join_tag_value = var.join_tag_value == "" ? var.name : var.join_tag_value
}

data "aws_iam_policy_document" "ec2_assume" {
  statement {
    actions = ["sts:AssumeRole"]
    principals {
      type        = "Service"
      identifiers = ["ec2.amazonaws.com"]
    }
  }
}

resource "aws_iam_role" "server" {
  name               = "${var.name}-server"
  assume_role_policy = data.aws_iam_policy_document.ec2_assume.json
  tags               = var.tags
}

data "aws_iam_policy_document" "server" {
  statement {
    sid       = "CloudAutoJoin"
    actions   = ["ec2:DescribeInstances"]
    resources = ["*"]
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

resource "aws_iam_role_policy" "server" {
  name   = "control-plane"
  role   = aws_iam_role.server.id
  policy = data.aws_iam_policy_document.server.json
}

resource "aws_iam_role_policy_attachment" "session_manager" {
  count      = var.session_manager ? 1 : 0
  role       = aws_iam_role.server.name
  policy_arn = "arn:aws:iam::aws:policy/AmazonSSMManagedInstanceCore"
}

resource "aws_iam_instance_profile" "server" {
  name = "${var.name}-server"
  role = aws_iam_role.server.name
}

resource "aws_launch_template" "server" {
  name_prefix            = "${var.name}-"
  image_id               = var.ami_id
  instance_type          = var.instance_type
  vpc_security_group_ids = var.security_group_ids

  iam_instance_profile {
    arn = aws_iam_instance_profile.server.arn
  }

  metadata_options {
    http_endpoint               = "enabled"
    http_tokens                 = "required"
    http_put_response_hop_limit = 1
  }

  block_device_mappings {
    device_name = "/dev/xvda"
    ebs {
      volume_size           = 30
      volume_type           = "gp3"
      encrypted             = true
      delete_on_termination = true
    }
  }

  user_data = base64encode(templatefile("${path.module}/user-data.yaml.tftpl", {
    node_env = {
      NODE_ROLE                   = "server"
      ENVIRONMENT                 = var.environment
      JOIN_TAG_KEY                = var.join_tag_key
      JOIN_TAG_VALUE              = local.join_tag_value
      CONSUL_GOSSIP_KEY_PARAMETER = var.consul_gossip_key_parameter
    }
  }))

  tag_specifications {
    resource_type = "instance"
    tags          = merge(var.tags, { Name = var.name, (var.join_tag_key) = local.join_tag_value })
  }

  tags = var.tags
}

resource "aws_autoscaling_group" "server" {
  name                = var.name
  vpc_zone_identifier = var.subnet_ids
  min_size            = 3
  max_size            = 3
  desired_capacity    = 3
  health_check_type   = "EC2"

  launch_template {
    id      = aws_launch_template.server.id
    version = aws_launch_template.server.latest_version
  }

  # One server at a time: quorum (2 of 3) holds during a refresh.
  instance_refresh {
    strategy = "Rolling"
    preferences {
      min_healthy_percentage = 66
      instance_warmup        = 180
    }
  }
}
