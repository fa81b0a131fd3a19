variable "namespace" {
  description = "Namespace of the services (their Instrumentation resources, token and CA live there)."
  type        = string
}

variable "operator_namespace" {
  description = "Namespace of the OpenTelemetry Operator."
  type        = string
  default     = "opentelemetry-operator"
}

variable "operator_chart_version" {
  description = "Version of the opentelemetry-operator chart."
  type        = string
  default     = "0.122.0"
}

variable "collector_image" {
  description = "Image the operator would run Collectors with (it runs none for Loupe; the chart requires one)."
  type        = object({ repository = string, tag = string })
}

variable "agent_settings" {
  description = "Each service's agent settings, service => { key => value } (module repository's agent_settings)."
  type        = map(map(string))
}

variable "environment" {
  description = "deployment.environment.name of the services' telemetry."
  type        = string
}

variable "otlp_endpoint" {
  description = "The gateway Collector's OTLP/HTTP endpoint in the cluster, e.g. https://otel-collector.monitoring.svc:4318."
  type        = string
}

variable "agent_image" {
  description = "Image with the OpenTelemetry Java agent at /javaagent.jar (the operator's autoinstrumentation-java at the version pinned in the root pom.xml)."
  type        = string
}

variable "extension_image" {
  description = "Image with Loupe's extension jar under /extensions (built from agent-extension's shaded jar)."
  type        = string
}

variable "ca_certificate" {
  description = "The private CA's certificate (PEM), to trust the gateway's TLS."
  type        = string
}

variable "agent_token" {
  description = "The bearer token agents present to the gateway."
  type        = string
  sensitive   = true
}
