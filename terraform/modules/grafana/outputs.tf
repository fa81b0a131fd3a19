
output "values" {
  description = "The chart's values as given to helm (decoded), for the checks."
  value       = yamldecode(helm_release.grafana.values[0])
}

output "exposed_service" {
  description = "The LoadBalancer Service of exposure, if that is its kind: { name, port, target_port, selector }; else null."
  value = length(kubernetes_service.exposed) == 0 ? null : {
    name        = kubernetes_service.exposed[0].metadata[0].name
    port        = kubernetes_service.exposed[0].spec[0].port[0].port
    target_port = kubernetes_service.exposed[0].spec[0].port[0].target_port
    selector    = kubernetes_service.exposed[0].spec[0].selector
  }
}
