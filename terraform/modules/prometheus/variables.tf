variable "namespace" {
  description = "Kubernetes namespace of Prometheus and Alertmanager."
  type        = string
}

variable "prometheus_chart_version" {
  description = "Version of the prometheus chart (prometheus-community)."
  type        = string
  default     = "29.27.0"
}

variable "alertmanager_chart_version" {
  description = "Version of the alertmanager chart (prometheus-community)."
  type        = string
  default     = "1.42.0"
}

variable "prometheus_name" {
  description = "Release and Service name of Prometheus (the Collector's LOUPE_PROMETHEUS_WRITE_ENDPOINT host)."
  type        = string
  default     = "prometheus"
}

variable "alertmanager_name" {
  description = "Release and Service name of Alertmanager."
  type        = string
  default     = "alertmanager"
}

variable "prometheus_config" {
  description = "collector-config/backends/prometheus.yml as written."
  type        = string
}

variable "rule_files" {
  description = "alert-rules/rules/*.yml by file name, as written."
  type        = map(string)
}

variable "alertmanager_config" {
  description = "alert-rules/alertmanager/alertmanager.yml as written."
  type        = string
}

variable "alertmanager_templates" {
  description = "alert-rules/alertmanager/templates/*.tmpl by file name, as written."
  type        = map(string)
}

variable "prometheus_replicas" {
  description = "Prometheus servers, each scraping and evaluating every rule."
  type        = number
  default     = 1
}

variable "alertmanager_replicas" {
  description = "Alertmanager replicas, one gossip cluster."
  type        = number
  default     = 1
}

variable "retention" {
  description = "How long Prometheus keeps samples (terraform/README.md says why)."
  type        = string
}

variable "retention_size" {
  description = "The most disk the TSDB may use before the oldest blocks go, e.g. 45GB (a little under storage_size)."
  type        = string
}

variable "storage_size" {
  description = "Each Prometheus replica's persistent volume."
  type        = string
}

variable "tls" {
  description = "Serve Prometheus and Alertmanager over TLS, and reach them so (certificate, key and CA from tls_secret_name)."
  type        = bool
}

variable "tls_secret_name" {
  description = "Secret with tls.crt, tls.key and ca.crt."
  type        = string
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
  description = "Bearer token of the dead man's switch (Watchdog)."
  type        = string
  sensitive   = true
}
