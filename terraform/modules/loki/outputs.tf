locals {
  scheme = var.tls ? "https" : "http"
  # SimpleScalable: <name>-write and <name>-read Services; SingleBinary: <name>
  write_host = local.scalable ? "${var.name}-write" : var.name
  read_host  = local.scalable ? "${var.name}-read" : var.name
}

output "otlp_url" {
  description = "Where the Collectors send logs (LOUPE_LOKI_OTLP_ENDPOINT)."
  value       = "${local.scheme}://${local.write_host}.${var.namespace}.svc:3100/otlp"
}

output "query_url" {
  description = "Loki's read path, Grafana's data source."
  value       = "${local.scheme}://${local.read_host}.${var.namespace}.svc:3100"
}

output "values" {
  description = "The chart's values as given to helm (decoded), for the checks."
  value       = yamldecode(helm_release.loki.values[0])
}
