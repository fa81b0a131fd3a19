variable "environment" {
  description = "The environment's name: deployment.environment.name of the services' telemetry."
  type        = string
}

variable "namespace" {
  description = "Namespace of the monitoring stack (created)."
  type        = string
  default     = "loupe-monitoring"
}

variable "services_namespace" {
  description = "Namespace of the Shop, CRM and MES pods on Kubernetes, to get the agent through the OpenTelemetry Operator; null while they run on VMs only."
  type        = string
  default     = null
}

variable "collector" {
  description = <<-EOT
    The gateway: image (loupe-otelcol, built from collector-config/distribution/manifest.yaml), scale_out (two
    tiers: routing_replicas Collectors routing by trace id to sampling_replicas tail samplers), and where
    MES's /metrics and RabbitMQ's Prometheus endpoint are (host:port).
  EOT
  type = object({
    image                   = object({ repository = string, tag = string })
    scale_out               = bool
    routing_replicas        = optional(number, 2)
    sampling_replicas       = optional(number, 2)
    mes_metrics_target      = string
    rabbitmq_metrics_target = string
  })
}

variable "prometheus" {
  description = "Prometheus and Alertmanager replicas, Prometheus's retention (time and size) and volume size."
  type = object({
    replicas              = number
    alertmanager_replicas = number
    retention             = string
    retention_size        = string
    storage_size          = string
  })
  validation {
    # collector-config/overrides/prometheus-replicas.yaml has an exporter for each of two replicas
    condition     = contains([1, 2], var.prometheus.replicas)
    error_message = "prometheus.replicas is 1 or 2: the Collectors' prometheus-replicas.yaml writes to two replicas; a third needs a third exporter there."
  }
}

variable "tempo_replicas" {
  description = "Tempo's distributor, ingester, querier and query-frontend replicas."
  type        = object({ distributor = number, ingester = number, querier = number, query_frontend = number })
}

variable "loki" {
  description = "Loki's mode (SimpleScalable or SingleBinary) and, when scalable, the replicas of each target."
  type        = object({ deployment_mode = string, replicas = optional(number, 3) })
}

variable "object_storage" {
  description = "S3-compatible object store of Tempo and Loki: endpoint (host[:port]), region, access key id, buckets."
  type = object({
    endpoint      = string
    region        = string
    access_key_id = string
    tempo_bucket  = string
    loki_bucket   = string
  })
}

variable "grafana" {
  description = "Grafana's URL and the company's sign-in (see modules/grafana)."
  type = object({
    root_url = string
    oauth = object({
      name                = string
      client_id           = string
      auth_url            = string
      token_url           = string
      api_url             = string
      allowed_groups      = list(string)
      role_attribute_path = string
    })
  })
}

variable "agent_images" {
  description = "For services on Kubernetes: the image with the Java agent, the image with Loupe's extension."
  type        = object({ agent = string, extension = string })
  default     = { agent = "", extension = "" }
}

variable "vm_agents" {
  description = "For services on VMs: the gateway's OTLP/HTTP endpoint as the VMs reach it, the CA file and the token's environment file on the VMs."
  type        = object({ otlp_endpoint = string, ca_file = string, headers_file = string })
}

variable "frontend_origins" {
  description = "Origins of the front ends whose pages send browser telemetry (frontend-telemetry/) to the gateway's otlp/frontend receiver, e.g. [\"https://shop.jewelry.example\"]: its CORS answers only these (LOUPE_FRONTEND_ORIGINS); none refuses every browser."
  type        = list(string)
  default     = []
  validation {
    condition     = alltrue([for o in var.frontend_origins : can(regex("^https?://[^/]+$", o))])
    error_message = "An origin is scheme://host[:port], without a path or a trailing slash (CORS compares it whole)."
  }
}

variable "frontend_services" {
  description = "The service.name of every front end whose pages send browser telemetry (each page's data-service-name, frontend-telemetry/README.md): the gateway's browser pipelines refuse a request from any other (LOUPE_FRONTEND_SERVICES, joined with |)."
  type        = list(string)
  default     = ["shop-web", "mes-web"]
  validation {
    condition     = length(var.frontend_services) > 0 && alltrue([for s in var.frontend_services : can(regex("^[A-Za-z0-9._-]+$", s))])
    error_message = "At least one front end; each name of letters, digits, '.', '_' and '-' (the gateway matches them in a regular expression)."
  }
}

variable "frontend_pages" {
  description = "The pages (each page's data-page, app.screen.name) the browser telemetry may name: any other arrives as _OTHER, so that a page name never makes a series without end (LOUPE_FRONTEND_PAGES, joined with |)."
  type        = list(string)
  default     = ["order-form", "orders-page"]
  validation {
    condition     = length(var.frontend_pages) > 0 && alltrue([for p in var.frontend_pages : can(regex("^[A-Za-z0-9._-]+$", p))])
    error_message = "At least one page; each name of letters, digits, '.', '_' and '-' (the gateway matches them in a regular expression)."
  }
}

variable "exposure" {
  description = <<-EOT
    What is reachable from outside the cluster, each endpoint on its own: grafana (root_url's host), otlp (the
    gateway's OTLP/HTTP 4318, for the VMs' agents: vm_agents.otlp_endpoint), frontend (the browsers'
    receiver 4319, frontend-telemetry's collectorUrl). Each null (inside only), an Ingress (kind "Ingress":
    host, ingress_class, annotations, tls_secret_name) or a LoadBalancer Service on that port alone (kind
    "LoadBalancer": host, the name DNS gives its address, annotations, source_ranges). See modules/collector
    and modules/grafana.
  EOT
  type = object({
    grafana  = optional(object({ kind = string, host = string, ingress_class = optional(string), annotations = optional(map(string), {}), tls_secret_name = optional(string), source_ranges = optional(list(string), []) }))
    otlp     = optional(object({ kind = string, host = string, ingress_class = optional(string), annotations = optional(map(string), {}), tls_secret_name = optional(string), source_ranges = optional(list(string), []) }))
    frontend = optional(object({ kind = string, host = string, ingress_class = optional(string), annotations = optional(map(string), {}), tls_secret_name = optional(string), source_ranges = optional(list(string), []) }))
  })
  default = {}
}

# secrets: never in the repository, never in a .tfvars file in it (terraform/README.md, "Inputs")

variable "tls_certificate" {
  description = "PEM certificate the parts serve (names: every Service of the namespace, *.<namespace>.svc)."
  type        = string
  sensitive   = true
}

variable "tls_private_key" {
  description = "PEM private key of tls_certificate."
  type        = string
  sensitive   = true
}

variable "ca_certificate" {
  description = "PEM certificate of the company's private CA, which issued tls_certificate."
  type        = string
}

variable "agent_token" {
  description = "The bearer token agents present to the gateway."
  type        = string
  sensitive   = true
}

variable "object_storage_secret_key" {
  description = "Secret access key of object_storage.access_key_id."
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
  description = "The sign-in's OAuth client secret for Grafana."
  type        = string
  sensitive   = true
}

variable "grafana_admin_password" {
  description = "Password of Grafana's built-in admin."
  type        = string
  sensitive   = true
}
