output "otlp_grpc_endpoint" {
  description = "Where the Collectors send traces (host:port of the distributor)."
  value       = "${var.name}-distributor.${var.namespace}.svc:4317"
}

output "query_url" {
  description = "Tempo's query frontend, Grafana's data source."
  value       = "${var.tls ? "https" : "http"}://${var.name}-query-frontend.${var.namespace}.svc:3200"
}

output "values" {
  description = "The chart's values as given to helm (decoded), for the checks."
  value       = yamldecode(helm_release.tempo.values[0])
}
