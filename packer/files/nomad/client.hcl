# Nomad client settings the drain design (issue 6) depends on.
#
# The EC2 instance id reaches Nomad as the fingerprinted node attribute
# `unique.platform.aws.instance-id` (env_aws fingerprinter, IMDSv2); the orchestrator finds the
# node of a terminating instance by it. Do not disable the env_aws fingerprinter.
client {
  enabled = true

  # Upper bound for any task's kill_timeout. A Trino worker's kill_timeout is the drain bound
  # (job-templates vars: kill_timeout_seconds) so that the image's entrypoint can drain Trino
  # on the kill signal (drain path 3) before Nomad force-kills it. Must be >= the terraform
  # variable drain_timeout_seconds: TestInfrastructureAgreement checks it.
  max_kill_timeout = "30m"

  # When the agent stops (instance shutdown that bypassed the lifecycle hook), drain the node
  # first instead of dropping its allocations.
  drain_on_shutdown {
    deadline           = "20m"
    force              = false
    ignore_system_jobs = true
  }

  # Assignment form (meta = {...}): valid both for Nomad's own config parser and for HCL2 tools
  # (hclfmt), which reject quoted names inside a block.
  meta = {
    "presto-orchestrator.managed" = "true"
  }

  gc_max_allocs = 50
}

leave_on_terminate = true

plugin "docker" {
  config {
    allow_privileged = false
    extra_labels     = ["job_name", "task_group_name", "task_name", "node_name"]

    gc {
      image       = true
      image_delay = "1h"
    }
  }
}
