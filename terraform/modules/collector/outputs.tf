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
