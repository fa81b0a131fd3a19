output "prometheus_url" {
  description = "Prometheus inside the cluster (Grafana's data source, the Collectors' remote write)."
  value       = "${local.scheme}://${var.prometheus_name}.${var.namespace}.svc:80"
}

# with two replicas every writer writes to each by its own name (a pod under the StatefulSet's headless
# Service, on the server's port): a write to the Service would reach one of them
output "prometheus_write_urls" {
  description = "Each replica's remote-write URL, in replica order: the Service's when there is one replica, else each pod's under <name>-headless (the chart's StatefulSet serviceName), port 9090."
  value = var.prometheus_replicas > 1 ? [
    for i in range(var.prometheus_replicas) : "${local.scheme}://${var.prometheus_name}-${i}.${var.prometheus_name}-headless.${var.namespace}.svc:9090/api/v1/write"
  ] : ["${local.scheme}://${var.prometheus_name}.${var.namespace}.svc:80/api/v1/write"]
}

output "prometheus_server_name" {
  description = "The name a writer checks Prometheus's certificate against when it dials a pod's name, which a certificate for *.<namespace>.svc does not cover: the Service's."
  value       = "${var.prometheus_name}.${var.namespace}.svc"
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
