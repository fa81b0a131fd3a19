variable "namespace" {
  description = "Kubernetes namespace of Grafana."
  type        = string
}

variable "name" {
  description = "Release name."
  type        = string
  default     = "grafana"
}

variable "chart_version" {
  description = "Version of the grafana chart."
  type        = string
  default     = "10.5.15"
}

variable "datasources" {
  description = "collector-config/backends/grafana-datasources.yaml as written."
  type        = string
}

variable "datasource_urls" {
  description = "Each data source's URL in the cluster, by uid (loupe-prometheus, loupe-tempo, loupe-loki)."
  type        = map(string)
}

variable "dashboards" {
  description = "Dashboard JSON by path under dashboards/ (module repository's dashboards); may be empty."
  type        = map(string)
}

variable "root_url" {
  description = "The URL people open Grafana at (the OAuth redirect goes back to it)."
  type        = string
}

variable "oauth" {
  description = "The company's sign-in (OIDC): client id, endpoints, the groups allowed in, and a JMESPath giving the Grafana role."
  type = object({
    name                = string
    client_id           = string
    auth_url            = string
    token_url           = string
    api_url             = string
    allowed_groups      = list(string)
    role_attribute_path = string
  })
}

variable "oauth_client_secret" {
  description = "The OAuth client's secret."
  type        = string
  sensitive   = true
}

variable "admin_password" {
  description = "Password of Grafana's built-in admin (the login form is off; for the API and emergencies)."
  type        = string
  sensitive   = true
}

variable "tls" {
  description = "Serve Grafana over HTTPS and trust the CA for the data sources."
  type        = bool
}

variable "tls_secret_name" {
  description = "Secret with tls.crt, tls.key and ca.crt."
  type        = string
}

variable "exposure" {
  description = <<-EOT
    How root_url's host reaches Grafana from outside the cluster: an Ingress (kind "Ingress": host,
    ingress_class, annotations, tls_secret_name, the Secret of the host's certificate) or a Service of type
    LoadBalancer on 443 (kind "LoadBalancer": annotations, source_ranges); null, inside the cluster only.
  EOT
  type = object({
    kind            = string
    host            = string
    ingress_class   = optional(string)
    annotations     = optional(map(string), {})
    tls_secret_name = optional(string)
    source_ranges   = optional(list(string), [])
  })
  default = null
  validation {
    condition     = var.exposure == null ? true : contains(["Ingress", "LoadBalancer"], var.exposure.kind)
    error_message = "exposure's kind is Ingress or LoadBalancer."
  }
}
