# The providers both environments are tested with (terraform/README.md, "Tested versions"); staging/
# and production/ link to this file.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm", version = "1.3.2" }
    kubernetes = { source = "hashicorp/kubernetes", version = "1.13.4" }
  }
}
