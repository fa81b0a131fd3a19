# Every file of the repository that the deployment uses is read here, and only here: the other modules
# take contents, never paths. So the list of what is deployed is one output (files_read), which the
# checks hold to the repository's folders (terraform/src/test: TerraformChecksTest).
terraform {
  required_version = ">= 1.6"
}

locals {
  root = abspath("${path.module}/../../..")

  # The gateway and the overrides it is deployed with. local.yaml (a developer's loopback) and lgtm.yaml
  # (the full-stack test inside grafana/otel-lgtm) are for machines, not for a deployment.
  collector_paths = {
    "gateway.yaml"             = "collector-config/gateway.yaml"
    "production.yaml"          = "collector-config/overrides/production.yaml"
    "scale-out-routing.yaml"   = "collector-config/overrides/scale-out-routing.yaml"
    "scale-out-sampling.yaml"  = "collector-config/overrides/scale-out-sampling.yaml"
    "prometheus-replicas.yaml" = "collector-config/overrides/prometheus-replicas.yaml"
  }
  rule_paths                  = { for f in fileset(local.root, "alert-rules/rules/*.yml") : basename(f) => f }
  alertmanager_template_paths = { for f in fileset(local.root, "alert-rules/alertmanager/templates/*.tmpl") : basename(f) => f }
  # dashboards/ holds Grafana dashboards generated from code: every JSON document with panels there is
  # deployed (not a build's target/ or node_modules/, nor a package.json), and a missing folder deploys none
  dashboard_paths = {
    for f in fileset(local.root, "dashboards/**/*.json") : trimprefix(f, "dashboards/") => f
    if length(regexall("(^|/)(target|node_modules)/", f)) == 0 && can(jsondecode(file("${local.root}/${f}")).panels)
  }
  agent_paths = { for f in fileset(local.root, "agent-extension/config/*.properties") : trimsuffix(basename(f), ".properties") => f }
  single_paths = {
    prometheus          = "collector-config/backends/prometheus.yml"
    tempo               = "collector-config/backends/tempo.yaml"
    loki                = "collector-config/backends/loki.yaml"
    grafana_datasources = "collector-config/backends/grafana-datasources.yaml"
    alertmanager        = "alert-rules/alertmanager/alertmanager.yml"
  }

  read = { for k, p in local.single_paths : k => file("${local.root}/${p}") }

  # Java .properties as the agent reads them: key=value or key:value lines, # and ! comments
  agent_settings = {
    for service, p in local.agent_paths : service => {
      for line in split("\n", file("${local.root}/${p}")) :
      trimspace(regex("^([^=:]+)[=:](.*)$", trimspace(line))[0]) => trimspace(regex("^([^=:]+)[=:](.*)$", trimspace(line))[1])
      if trimspace(line) != "" && !startswith(trimspace(line), "#") && !startswith(trimspace(line), "!")
    }
  }
}

output "collector_files" {
  description = "The Collector's config files by file name (gateway.yaml, production.yaml, scale-out-*.yaml, prometheus-replicas.yaml), as written in the repository."
  value       = { for name, p in local.collector_paths : name => file("${local.root}/${p}") }
}

output "rule_files" {
  description = "alert-rules/rules/*.yml by file name, as written."
  value       = { for name, p in local.rule_paths : name => file("${local.root}/${p}") }
}

output "alertmanager_config" {
  description = "alert-rules/alertmanager/alertmanager.yml as written."
  value       = local.read.alertmanager
}

output "alertmanager_templates" {
  description = "alert-rules/alertmanager/templates/*.tmpl by file name, as written."
  value       = { for name, p in local.alertmanager_template_paths : name => file("${local.root}/${p}") }
}

output "prometheus_config" {
  description = "collector-config/backends/prometheus.yml as written."
  value       = local.read.prometheus
}

output "tempo_config" {
  description = "collector-config/backends/tempo.yaml as written."
  value       = local.read.tempo
}

output "loki_config" {
  description = "collector-config/backends/loki.yaml as written."
  value       = local.read.loki
}

output "grafana_datasources" {
  description = "collector-config/backends/grafana-datasources.yaml as written."
  value       = local.read.grafana_datasources
}

output "dashboards" {
  description = "Every dashboards/**/*.json by its path under dashboards/, as written; empty while there are none."
  value       = { for name, p in local.dashboard_paths : name => file("${local.root}/${p}") }
}

output "agent_settings" {
  description = "Each service's agent settings (agent-extension/config/<service>.properties): service => { key => value }."
  value       = local.agent_settings
}

output "agent_settings_files" {
  description = "Each service's agent settings file as written: service => text."
  value       = { for service, p in local.agent_paths : service => file("${local.root}/${p}") }
}

output "files_read" {
  description = "Every file this module reads, relative to the repository's root, sorted."
  value = sort(concat(
    values(local.collector_paths), values(local.rule_paths), values(local.alertmanager_template_paths),
    values(local.dashboard_paths), values(local.agent_paths),
    values(local.single_paths),
  ))
}
