# The monitoring stack of one environment; staging/ and production/ link to this file and set the locals
# in their main.tf.
module "stack" {
  source             = "../../modules/stack"
  environment        = local.environment
  namespace          = local.namespace
  services_namespace = local.services_namespace
  collector          = local.collector
  prometheus         = local.prometheus
  tempo_replicas     = local.tempo_replicas
  loki               = local.loki
  object_storage     = local.object_storage
  grafana            = local.grafana
  agent_images       = local.agent_images
  vm_agents          = local.vm_agents
  frontend_origins   = local.frontend_origins
  frontend_services  = local.frontend_services
  frontend_pages     = local.frontend_pages
  exposure           = local.exposure

  tls_certificate             = var.tls_certificate
  tls_private_key             = var.tls_private_key
  ca_certificate              = var.ca_certificate
  agent_token                 = var.agent_token
  object_storage_secret_key   = var.object_storage_secret_key
  pagerduty_routing_key       = var.pagerduty_routing_key
  oncall_slack_webhook_url    = var.oncall_slack_webhook_url
  team_slack_webhook_url      = var.team_slack_webhook_url
  deadmans_switch_token       = var.deadmans_switch_token
  grafana_oauth_client_secret = var.grafana_oauth_client_secret
  grafana_admin_password      = var.grafana_admin_password
}
