output "files_read" {
  description = "Every repository file this environment deploys."
  value       = module.repository.files_read
}

output "systemd_drop_ins" {
  description = "service => its systemd drop-in for the VMs (terraform/README.md, \"The agent on the VMs\")."
  value       = module.agent_systemd.drop_ins
}

output "agent_settings_files" {
  description = "service => its settings file for the VMs, /etc/loupe/<service>.properties (agent-extension/config/)."
  value       = module.repository.agent_settings_files
}

output "pod_annotations" {
  description = "service => the annotation that gives its pods the agent (empty while services_namespace is null)."
  value       = length(module.agent_kubernetes) == 0 ? {} : module.agent_kubernetes[0].annotations
}

output "urls" {
  description = "Inside the cluster: Prometheus, Alertmanager, Tempo, Loki; and Grafana's URL."
  value = {
    prometheus   = module.prometheus.prometheus_url
    alertmanager = module.prometheus.alertmanager_url
    tempo        = module.tempo.query_url
    loki         = module.loki.query_url
    grafana      = var.grafana.root_url
  }
}

output "helm_values" {
  description = "Every release's chart values as given to helm (decoded), for the checks: they hold no secret."
  value = {
    collector       = module.collector.values
    prometheus      = module.prometheus.values.prometheus
    alertmanager    = module.prometheus.values.alertmanager
    tempo           = module.tempo.values
    loki            = module.loki.values
    grafana         = module.grafana.values
    instrumentation = length(module.agent_kubernetes) == 0 ? null : module.agent_kubernetes[0].values
  }
}

output "collector_config_maps" {
  description = "Each Collector tier's config files as deployed: tier => file name => text."
  value       = module.collector.config_maps
}

output "alertmanager_templates" {
  description = "Alertmanager's notification templates as deployed."
  value       = module.prometheus.alertmanager_templates
}

output "exposed_services" {
  description = "The LoadBalancer Services of exposure: collector (endpoint => Service) and grafana (or null)."
  value       = { collector = module.collector.exposed_services, grafana = module.grafana.exposed_service }
}
