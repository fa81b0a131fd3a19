variable "agent_settings" {
  description = "Each service's agent settings, service => { key => value } (module repository's agent_settings)."
  type        = map(map(string))
}

variable "environment" {
  description = "deployment.environment.name of the services' telemetry (staging, production)."
  type        = string
}

variable "agent_jar" {
  description = "Path of opentelemetry-javaagent.jar on the VMs (the version pinned in the root pom.xml)."
  type        = string
  default     = "/opt/loupe/opentelemetry-javaagent.jar"
  validation {
    condition     = length(regexall("[\\s\"]", var.agent_jar)) == 0
    error_message = "JAVA_TOOL_OPTIONS is split at spaces: the agent's path may hold no space or quote."
  }
}

variable "extension_jar" {
  description = "Path of Loupe's extension jar (agent-extension's shaded jar) on the VMs."
  type        = string
  default     = "/opt/loupe/loupe-agent-extension.jar"
  validation {
    condition     = length(regexall("[\\s\"]", var.extension_jar)) == 0
    error_message = "JAVA_TOOL_OPTIONS is split at spaces: the extension's path may hold no space or quote."
  }
}

variable "settings_dir" {
  description = "Directory on the VMs holding <service>.properties, copied from agent-extension/config/ (output settings_files)."
  type        = string
  default     = "/etc/loupe"
  validation {
    condition     = length(regexall("[\\s\"]", var.settings_dir)) == 0
    error_message = "JAVA_TOOL_OPTIONS is split at spaces: the settings directory may hold no space or quote."
  }
}

variable "otlp_endpoint" {
  description = "The gateway Collector's OTLP/HTTP endpoint, e.g. https://otel-collector.jewelry.internal:4318."
  type        = string
}

variable "ca_file" {
  description = "The private CA's certificate on the VMs, to trust the gateway's TLS; null for plain text."
  type        = string
  default     = null
}

variable "otlp_headers_file" {
  description = "An environment file on the VMs with OTEL_EXPORTER_OTLP_HEADERS (the agents' bearer token); null for none."
  type        = string
  default     = null
}
