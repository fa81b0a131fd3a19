variable "namespace" {
  description = "Kubernetes namespace of Loki."
  type        = string
}

variable "name" {
  description = "Release name."
  type        = string
  default     = "loki"
}

variable "chart_version" {
  description = "Version of the loki chart."
  type        = string
  default     = "6.49.0"
}

variable "loki_config" {
  description = "collector-config/backends/loki.yaml as written."
  type        = string
}

variable "deployment_mode" {
  description = "SimpleScalable (production: read, write, backend targets, replication factor 3) or SingleBinary."
  type        = string
  validation {
    condition     = contains(["SimpleScalable", "SingleBinary"], var.deployment_mode)
    error_message = "deployment_mode is SimpleScalable or SingleBinary."
  }
}

variable "replicas" {
  description = "Replicas of each of read, write and backend in SimpleScalable mode."
  type        = number
  default     = 3
}

variable "bucket" {
  description = "Object-store bucket of chunks, index and rules."
  type        = string
}

variable "object_storage_endpoint" {
  description = "S3-compatible endpoint, host[:port]."
  type        = string
}

variable "object_storage_region" {
  description = "The object store's region."
  type        = string
}

variable "object_storage_secret_name" {
  description = "Secret holding AWS_ACCESS_KEY_ID and AWS_SECRET_ACCESS_KEY for the bucket."
  type        = string
}

variable "tls" {
  description = "Serve HTTP and gRPC over TLS (tls_secret_name)."
  type        = bool
}

variable "tls_secret_name" {
  description = "Secret with tls.crt, tls.key and ca.crt."
  type        = string
}
