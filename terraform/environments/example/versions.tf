terraform {
  required_version = ">= 1.6"
  required_providers {
    aws = {
      source  = "hashicorp/aws"
      version = ">= 5.40, < 7.0"
    }
  }

  # Keep state remote and encrypted in a real account, e.g.:
  # backend "s3" {
  #   bucket       = "<your-state-bucket>"
  #   key          = "presto-orchestrator/example.tfstate"
  #   region       = "us-east-1"
  #   encrypt      = true
  #   use_lockfile = true
  # }
}

provider "aws" {
  region = var.region
  default_tags {
    tags = {
      "presto-orchestrator:environment" = var.environment
      "managed-by"                      = "terraform"
    }
  }
}
