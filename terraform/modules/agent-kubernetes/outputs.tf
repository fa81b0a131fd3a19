output "annotations" {
  description = "service => the pod annotation that gives it the agent."
  value       = { for service in keys(var.agent_settings) : service => { "instrumentation.opentelemetry.io/inject-java" = "${var.namespace}/${service}" } }
}

output "environment" {
  description = "service => the environment its agent gets (settings of agent-extension/config/ as variables)."
  value       = local.env
}

output "values" {
  description = "The Instrumentation chart's values as given to helm (decoded), for the checks."
  value       = yamldecode(helm_release.instrumentation.values[0])
}
