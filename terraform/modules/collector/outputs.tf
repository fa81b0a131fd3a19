output "releases" {
  description = "Helm release name per tier."
  value       = { for k, r in helm_release.tier : k => r.name }
}

output "values" {
  description = "Each tier's chart values as given to helm (decoded), for the checks."
  value       = { for k, r in helm_release.tier : k => yamldecode(r.values[0]) }
}

output "config_maps" {
  description = "Each tier's config files as the ConfigMap holds them: tier => file name => text."
  value       = { for k, c in kubernetes_config_map.config : k => c.data }
}

output "exposed_services" {
  description = "The LoadBalancer Services of exposure: endpoint => { name, type, port, selector, source_ranges }."
  value = { for e, svc in kubernetes_service.exposed : e => {
    name          = svc.metadata[0].name
    type          = svc.spec[0].type
    port          = svc.spec[0].port[0].port
    selector      = svc.spec[0].selector
    source_ranges = svc.spec[0].load_balancer_source_ranges
  } }
}
