# The secrets and cluster access both environments take; staging/ and production/ link to this file.
# Give the secrets as TF_VAR_<name> from the secret store (terraform/README.md, "Inputs"), never in a file
# of this repository.

variable "kubeconfig" {
  description = "Path of the kubeconfig that reaches the environment's cluster."
  type        = string
  default     = "~/.kube/config"
}

variable "kube_context" {
  description = "The kubeconfig context of the environment's cluster."
  type        = string
}

variable "tls_certificate" {
  description = "PEM certificate the monitoring parts serve, for *.<namespace>.svc and every Service name."
  type        = string
  sensitive   = true
}

variable "tls_private_key" {
  description = "PEM private key of tls_certificate."
  type        = string
  sensitive   = true
}

variable "ca_certificate" {
  description = "PEM certificate of the company's private CA."
  type        = string
}

variable "agent_token" {
  description = "The bearer token agents present to the gateway."
  type        = string
  sensitive   = true
}

variable "object_storage_access_key_id" {
  description = "Access key id for the Tempo and Loki buckets."
  type        = string
}

variable "object_storage_secret_key" {
  description = "Secret access key for the Tempo and Loki buckets."
  type        = string
  sensitive   = true
}

variable "pagerduty_routing_key" {
  description = "PagerDuty Events v2 integration key of the on-call service."
  type        = string
  sensitive   = true
}

variable "oncall_slack_webhook_url" {
  description = "Slack incoming webhook of the on-call channel."
  type        = string
  sensitive   = true
}

variable "team_slack_webhook_url" {
  description = "Slack incoming webhook of the team's channel."
  type        = string
  sensitive   = true
}

variable "deadmans_switch_token" {
  description = "Bearer token of the dead man's switch that Watchdog pings."
  type        = string
  sensitive   = true
}

variable "grafana_oauth_client_secret" {
  description = "The company sign-in's OAuth client secret for Grafana."
  type        = string
  sensitive   = true
}

variable "grafana_admin_password" {
  description = "Password of Grafana's built-in admin."
  type        = string
  sensitive   = true
}

variable "collector_image_tag" {
  description = "Tag of the loupe-otelcol image to deploy."
  type        = string
}

provider "kubernetes" {
  config_path    = var.kubeconfig
  config_context = var.kube_context
}

provider "helm" {
  kubernetes {
    config_path    = var.kubeconfig
    config_context = var.kube_context
  }
}

output "systemd_drop_ins" {
  description = "service => its systemd drop-in for the VMs."
  value       = module.stack.systemd_drop_ins
}

output "agent_settings_files" {
  description = "service => /etc/loupe/<service>.properties for the VMs."
  value       = module.stack.agent_settings_files
}

output "pod_annotations" {
  description = "service => the pod annotation that gives it the agent on Kubernetes."
  value       = module.stack.pod_annotations
}

output "urls" {
  description = "Where the parts are."
  value       = module.stack.urls
}

output "files_read" {
  description = "Every repository file deployed."
  value       = module.stack.files_read
}
