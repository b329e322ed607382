[#ftl]
# Cluster-scaling policy of worker pool [=pool.asg_name] (cluster [=pool.cluster]).
# Scale-in drains each node (node_drain_deadline >= the drain bound) before the ASG terminates it;
# the terminating lifecycle hook hands it to the orchestrator's drain as well.
scaling "cluster-[=pool.cluster]" {
  enabled = true
  type    = "cluster"
  min     = [=pool.min]
  max     = [=pool.max]

  policy {
    cooldown_on_scale_up = "[=vars.nomad_autoscaler.scale_up_cooldown_seconds]s"
    on_check_error       = "fail"

    check "workers-needed" {
      source = "prometheus"
      query  = "[=pool.query?j_string]"

      strategy "pass-through" {
        max_scale_down = [=vars.nomad_autoscaler.max_scale_down]
      }
    }

    target "aws-asg" {
      aws_asg_name                  = "[=pool.asg_name]"
      node_class                    = "[=pool.node_class]"
      node_drain_deadline           = "[=vars.nomad_autoscaler.node_drain_deadline_seconds]s"
      node_drain_ignore_system_jobs = false
      node_purge                    = true
      node_selector_strategy        = "least_busy"
    }
  }
}
