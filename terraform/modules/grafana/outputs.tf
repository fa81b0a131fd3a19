
output "values" {
  description = "The chart's values as given to helm (decoded), for the checks."
  value       = yamldecode(helm_release.grafana.values[0])
}
