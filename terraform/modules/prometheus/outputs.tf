output "prometheus_url" {
  description = "Prometheus inside the cluster (Grafana's data source, the Collectors' remote write)."
  value       = "${local.scheme}://${var.prometheus_name}.${var.namespace}.svc:80"
}

output "alertmanager_url" {
  description = "Alertmanager inside the cluster."
  value       = "${local.scheme}://${var.alertmanager_name}.${var.namespace}.svc:9093"
}

output "values" {
  description = "The prometheus and alertmanager charts' values as given to helm (decoded), for the checks."
  value = {
    prometheus   = yamldecode(helm_release.prometheus.values[0])
    alertmanager = yamldecode(helm_release.alertmanager.values[0])
  }
}

output "alertmanager_templates" {
  description = "The notification templates as their ConfigMap holds them: file name => text."
  value       = kubernetes_config_map.alertmanager_templates.data
}
