variable "namespace" {
  description = "Kubernetes namespace of the Collectors."
  type        = string
}

variable "chart_version" {
  description = "Version of the opentelemetry-collector chart."
  type        = string
  default     = "0.170.0"
}

variable "image" {
  description = "The loupe-otelcol image, built from collector-config/distribution/manifest.yaml (the upstream images lack its components), with the binary at /loupe-otelcol (the chart runs /<command.name>)."
  type        = object({ repository = string, tag = string })
}

variable "config_files" {
  description = "The Collector's config files by name, as written in the repository (module repository's collector_files)."
  type        = map(string)
}

variable "tiers" {
  description = <<-EOT
    One release per entry, named by its key: config_files in merge order (names of config_files), replicas,
    headless (a Service without a cluster IP, for the routing tier's DNS resolver), public (the one tier
    agents and browsers send to: its Service has the browsers' port 4319, and exposure applies to it), environment (LOUPE_*),
    queue_size (the disk queues' emptyDir), Kubernetes resources (requests and limits) and gomemlimit (about
    60 % of the memory limit: 384MiB of the default 640Mi, docs/overhead.md).
  EOT
  type = map(object({
    config_files = list(string)
    replicas     = number
    headless     = optional(bool, false)
    public       = optional(bool, false)
    environment  = optional(map(string), {})
    queue_size   = optional(string, "2Gi")
    resources    = optional(any, { requests = { cpu = "500m", memory = "640Mi" }, limits = { memory = "640Mi" } })
    gomemlimit   = optional(string, "384MiB")
  }))
  validation {
    condition     = alltrue([for t in values(var.tiers) : length(t.config_files) > 0 && t.config_files[0] == "gateway.yaml"])
    error_message = "Every tier starts from gateway.yaml; the overrides follow it."
  }
  validation {
    condition     = length([for t in values(var.tiers) : t if t.public]) == 1
    error_message = "Exactly one tier is public: the one the agents and browsers send to."
  }
}

variable "exposure" {
  description = <<-EOT
    The public tier's endpoints reachable from outside the cluster, by name: otlp (OTLP/HTTP 4318, the VMs'
    agents, with TLS and the token) and frontend (4319, the browsers, CORS). Each is an Ingress (kind
    "Ingress": host, ingress_class, annotations, tls_secret_name, the Secret of the host's certificate) or a
    Service of type LoadBalancer on that port alone (kind "LoadBalancer": annotations, source_ranges);
    an endpoint not named stays inside the cluster.
  EOT
  type = map(object({
    kind            = string
    host            = string
    ingress_class   = optional(string)
    annotations     = optional(map(string), {})
    tls_secret_name = optional(string)
    source_ranges   = optional(list(string), [])
  }))
  default = {}
  validation {
    condition     = alltrue([for e, x in var.exposure : contains(["otlp", "frontend"], e) && contains(["Ingress", "LoadBalancer"], x.kind)])
    error_message = "exposure names otlp or frontend, each of kind Ingress or LoadBalancer."
  }
}

variable "environment" {
  description = "LOUPE_* variables for every tier: the backends' endpoints (collector-config/README.md)."
  type        = map(string)
  default     = {}
}

variable "tls_secret_name" {
  description = "Secret with tls.crt, tls.key and ca.crt for the Collectors (mounted where production.yaml looks)."
  type        = string
}

variable "agent_token" {
  description = "The bearer token agents present (production.yaml's bearertokenauth/agents)."
  type        = string
  sensitive   = true
}
