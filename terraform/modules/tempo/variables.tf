variable "namespace" {
  description = "Kubernetes namespace of Tempo."
  type        = string
}

variable "name" {
  description = "Release name; the distributor's Service is <name>-distributor (the Collector's LOUPE_TEMPO_OTLP_ENDPOINT)."
  type        = string
  default     = "tempo"
}

variable "chart_version" {
  description = "Version of the tempo-distributed chart."
  type        = string
  default     = "1.61.3"
}

variable "tempo_config" {
  description = "collector-config/backends/tempo.yaml as written."
  type        = string
}

variable "replicas" {
  description = "Replicas of the write path (distributor, ingester: 3 or more keep each span on 3 ingesters, fewer on 1) and of the read path (querier, query_frontend)."
  type        = object({ distributor = number, ingester = number, querier = number, query_frontend = number })
}

variable "bucket" {
  description = "Object-store bucket of the trace blocks."
  type        = string
}

variable "object_storage_endpoint" {
  description = "S3-compatible endpoint, host[:port] (e.g. s3.eu-central-1.amazonaws.com)."
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

variable "prometheus_write_urls" {
  description = "Each Prometheus replica's remote-write URL, for the metrics generator's service graphs: it writes to every one, so each replica holds every series."
  type        = list(string)
}

variable "prometheus_server_name" {
  description = "The name Prometheus's certificate is checked against (with TLS), as the URLs may name pods the certificate does not cover."
  type        = string
}

variable "tls" {
  description = "Serve HTTP and gRPC over TLS (tls_secret_name), and write to Prometheus with its CA."
  type        = bool
}

variable "tls_secret_name" {
  description = "Secret with tls.crt, tls.key and ca.crt."
  type        = string
}
