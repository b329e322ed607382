# One environment: network, control plane, the lifecycle queue, the orchestrator's policy and
# SSM scaffolding, a system pool (Traefik, the orchestrator, Prometheus, nomad-autoscaler) behind
# the NLB, and one worker pool per cluster. terraform/README.md walks through a deploy.

locals {
  name                 = "${var.environment}-presto"
  lifecycle_queue_name = "${local.name}-lifecycle"
  asg_name_prefix      = "${local.name}-pool-"
}

module "network" {
  source             = "../../modules/network"
  name               = local.name
  availability_zones = var.availability_zones
  api_allowed_cidrs  = var.api_allowed_cidrs
  orchestrator_port  = var.orchestrator_port
}

module "control_plane" {
  source                      = "../../modules/control-plane"
  name                        = "${local.name}-control-plane"
  environment                 = var.environment
  ami_id                      = var.control_plane_ami_id
  subnet_ids                  = module.network.private_subnet_ids
  security_group_ids          = [module.network.nodes_security_group_id]
  consul_gossip_key_parameter = var.consul_gossip_key_parameter
  kms_key_arn                 = module.ssm.kms_key_arn
}

module "lifecycle_queue" {
  source = "../../modules/lifecycle-queue"
  name   = local.lifecycle_queue_name
}

module "ssm" {
  source                = "../../modules/ssm-parameters"
  name                  = local.name
  ssm_prefix            = var.ssm_prefix
  lifecycle_queue_url   = module.lifecycle_queue.queue_url
  drain_timeout_seconds = var.drain_timeout_seconds
  clusters = {
    for c, pool in module.worker_pool : c => {
      asg_name       = pool.asg_name
      s3_bucket_arns = var.clusters[c].s3_bucket_arns
    }
  }
}

module "orchestrator_iam" {
  source              = "../../modules/orchestrator-iam"
  name                = "${local.name}-orchestrator"
  ssm_prefix          = var.ssm_prefix
  kms_key_arn         = module.ssm.kms_key_arn
  lifecycle_queue_arn = module.lifecycle_queue.queue_arn
  asg_name_prefix     = local.asg_name_prefix
}

module "autoscaler_iam" {
  source          = "../../modules/autoscaler-iam"
  name            = "${local.name}-nomad-autoscaler"
  asg_name_prefix = local.asg_name_prefix
}

module "nlb" {
  source             = "../../modules/nlb"
  name               = local.name
  vpc_id             = module.network.vpc_id
  subnet_ids         = module.network.private_subnet_ids
  security_group_ids = [module.network.nlb_security_group_id]
  internal           = true
  orchestrator_port  = var.orchestrator_port
}

# Runs the orchestrator (two replicas), Traefik, Prometheus and nomad-autoscaler (job-templates/system/);
# its instance role carries the orchestrator's and the autoscaler's policies. Its own terminations
# are drained like any pool's.
module "system_pool" {
  source                      = "../../modules/worker-pool"
  name                        = "${local.asg_name_prefix}system"
  cluster                     = "system"
  environment                 = var.environment
  node_pool                   = "system"
  ami_id                      = var.nomad_client_ami_id
  instance_type               = "t3.large"
  subnet_ids                  = module.network.private_subnet_ids
  security_group_ids          = [module.network.nodes_security_group_id]
  min_size                    = 2
  max_size                    = 3
  desired_capacity            = 2
  join_tag_key                = module.control_plane.join_tag_key
  join_tag_value              = module.control_plane.join_tag_value
  consul_gossip_key_parameter = var.consul_gossip_key_parameter
  kms_key_arn                 = module.ssm.kms_key_arn
  lifecycle_queue_arn         = module.lifecycle_queue.queue_arn
  lifecycle_hook_role_arn     = module.lifecycle_queue.hook_role_arn
  heartbeat_timeout_seconds   = var.heartbeat_timeout_seconds
  drain_timeout_seconds       = var.drain_timeout_seconds
  extra_policy_arns           = [module.orchestrator_iam.policy_arn, module.autoscaler_iam.policy_arn]
  target_group_arns           = module.nlb.target_group_arns
}

module "worker_pool" {
  source                      = "../../modules/worker-pool"
  for_each                    = var.clusters
  name                        = "${local.asg_name_prefix}${each.key}"
  cluster                     = each.key
  environment                 = var.environment
  node_pool                   = "trino"
  ami_id                      = var.nomad_client_ami_id
  instance_type               = each.value.instance_type
  subnet_ids                  = module.network.private_subnet_ids
  security_group_ids          = [module.network.nodes_security_group_id]
  min_size                    = each.value.min_size
  max_size                    = each.value.max_size
  desired_capacity            = each.value.desired_capacity
  join_tag_key                = module.control_plane.join_tag_key
  join_tag_value              = module.control_plane.join_tag_value
  consul_gossip_key_parameter = var.consul_gossip_key_parameter
  kms_key_arn                 = module.ssm.kms_key_arn
  lifecycle_queue_arn         = module.lifecycle_queue.queue_arn
  lifecycle_hook_role_arn     = module.lifecycle_queue.hook_role_arn
  heartbeat_timeout_seconds   = var.heartbeat_timeout_seconds
  drain_timeout_seconds       = var.drain_timeout_seconds
  s3_bucket_arns              = each.value.s3_bucket_arns
  s3_read_only_bucket_arns    = each.value.s3_read_only_bucket_arns
}
