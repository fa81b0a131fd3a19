# The whole monitoring stack of one environment: what staging and production share, with their
# differences as inputs. Every repository file comes through module.repository.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm" }
    kubernetes = { source = "hashicorp/kubernetes" }
  }
}

module "repository" {
  source = "../repository"
}

locals {
  tls_secret     = "loupe-tls"
  storage_secret = "loupe-object-storage"
  # the gateway's production.yaml demands TLS, and every other part is reached so too
  tls = true
  # two Prometheus replicas: every tier writes every series to each (collector-config/README.md, "Two
  # Prometheus replicas"), its override merged last
  prometheus_override = var.prometheus.replicas > 1 ? ["prometheus-replicas.yaml"] : []
  # the single gateway, or the two tiers of collector-config/README.md ("Scale-out")
  sampling_tier = "otel-collector-sampling"
  collector_tiers = var.collector.scale_out ? tomap({
    "otel-collector" = {
      config_files = tolist(concat(["gateway.yaml", "production.yaml", "scale-out-routing.yaml"], local.prometheus_override))
      replicas     = var.collector.routing_replicas
      headless     = false
      public       = true
      # the resolver dials each sampler's IP; TLS checks the Service's name, which the certificate holds
      environment = tomap({
        LOUPE_SAMPLING_TIER_HOST        = "${local.sampling_tier}.${var.namespace}.svc"
        LOUPE_SAMPLING_TIER_SERVER_NAME = "${local.sampling_tier}.${var.namespace}.svc"
      })
    }
    (local.sampling_tier) = {
      config_files = tolist(concat(["gateway.yaml", "production.yaml", "scale-out-sampling.yaml"], local.prometheus_override))
      replicas     = var.collector.sampling_replicas
      headless     = true
      public       = false
      environment  = tomap({})
    }
    # neither tier scrapes MES and RabbitMQ (every replica would write the same series): one
    # single-gateway Collector that no agent sends to does
    "otel-collector-scrape" = {
      config_files = tolist(concat(["gateway.yaml", "production.yaml"], local.prometheus_override))
      replicas     = 1
      headless     = false
      public       = false
      environment  = tomap({})
    }
    }) : tomap({
    "otel-collector" = {
      config_files = tolist(concat(["gateway.yaml", "production.yaml"], local.prometheus_override))
      replicas     = 1
      headless     = false
      public       = true
      environment  = tomap({})
    }
  })
}

resource "kubernetes_namespace" "monitoring" {
  metadata {
    name   = var.namespace
    labels = { "app.kubernetes.io/part-of" = "loupe" }
  }
}

# every part serves and checks TLS with the company's private CA
resource "kubernetes_secret" "tls" {
  metadata {
    name      = local.tls_secret
    namespace = kubernetes_namespace.monitoring.metadata[0].name
  }
  type = "kubernetes.io/tls"
  data = {
    "tls.crt" = var.tls_certificate
    "tls.key" = var.tls_private_key
    "ca.crt"  = var.ca_certificate
  }
}

resource "kubernetes_secret" "object_storage" {
  metadata {
    name      = local.storage_secret
    namespace = kubernetes_namespace.monitoring.metadata[0].name
  }
  data = {
    AWS_ACCESS_KEY_ID     = var.object_storage.access_key_id
    AWS_SECRET_ACCESS_KEY = var.object_storage_secret_key
  }
}

module "prometheus" {
  source                   = "../prometheus"
  namespace                = kubernetes_namespace.monitoring.metadata[0].name
  prometheus_config        = module.repository.prometheus_config
  rule_files               = module.repository.rule_files
  alertmanager_config      = module.repository.alertmanager_config
  alertmanager_templates   = module.repository.alertmanager_templates
  prometheus_replicas      = var.prometheus.replicas
  alertmanager_replicas    = var.prometheus.alertmanager_replicas
  retention                = var.prometheus.retention
  retention_size           = var.prometheus.retention_size
  storage_size             = var.prometheus.storage_size
  tls                      = local.tls
  tls_secret_name          = kubernetes_secret.tls.metadata[0].name
  pagerduty_routing_key    = var.pagerduty_routing_key
  oncall_slack_webhook_url = var.oncall_slack_webhook_url
  team_slack_webhook_url   = var.team_slack_webhook_url
  deadmans_switch_token    = var.deadmans_switch_token
}

module "tempo" {
  source                     = "../tempo"
  namespace                  = kubernetes_namespace.monitoring.metadata[0].name
  tempo_config               = module.repository.tempo_config
  replicas                   = var.tempo_replicas
  bucket                     = var.object_storage.tempo_bucket
  object_storage_endpoint    = var.object_storage.endpoint
  object_storage_region      = var.object_storage.region
  object_storage_secret_name = kubernetes_secret.object_storage.metadata[0].name
  prometheus_write_urls      = module.prometheus.prometheus_write_urls
  prometheus_server_name     = module.prometheus.prometheus_server_name
  tls                        = local.tls
  tls_secret_name            = kubernetes_secret.tls.metadata[0].name
}

module "loki" {
  source                     = "../loki"
  namespace                  = kubernetes_namespace.monitoring.metadata[0].name
  loki_config                = module.repository.loki_config
  deployment_mode            = var.loki.deployment_mode
  replicas                   = var.loki.replicas
  bucket                     = var.object_storage.loki_bucket
  object_storage_endpoint    = var.object_storage.endpoint
  object_storage_region      = var.object_storage.region
  object_storage_secret_name = kubernetes_secret.object_storage.metadata[0].name
  tls                        = local.tls
  tls_secret_name            = kubernetes_secret.tls.metadata[0].name
}

module "collector" {
  source          = "../collector"
  namespace       = kubernetes_namespace.monitoring.metadata[0].name
  image           = var.collector.image
  config_files    = module.repository.collector_files
  tiers           = local.collector_tiers
  tls_secret_name = kubernetes_secret.tls.metadata[0].name
  agent_token     = var.agent_token
  exposure        = { for e in ["otlp", "frontend"] : e => var.exposure[e] if var.exposure[e] != null }
  environment = merge({
    # the front ends whose pages may send (CORS of otlp/frontend), a YAML list; none refuses every browser
    LOUPE_FRONTEND_ORIGINS = jsonencode(var.frontend_origins)
    # the front ends and pages the browser pipelines accept and name (collector-config/README.md)
    LOUPE_FRONTEND_SERVICES         = join("|", var.frontend_services)
    LOUPE_FRONTEND_PAGES            = join("|", var.frontend_pages)
    LOUPE_TEMPO_OTLP_ENDPOINT       = module.tempo.otlp_grpc_endpoint
    LOUPE_LOKI_OTLP_ENDPOINT        = module.loki.otlp_url
    LOUPE_PROMETHEUS_WRITE_ENDPOINT = module.prometheus.prometheus_write_urls[0]
    LOUPE_MES_METRICS_TARGET        = var.collector.mes_metrics_target
    LOUPE_RABBITMQ_METRICS_TARGET   = var.collector.rabbitmq_metrics_target
    }, length(local.prometheus_override) == 0 ? {} : {
    # prometheus-replicas.yaml's second exporter, and the name both check (a pod's name is not in the certificate)
    LOUPE_PROMETHEUS_WRITE_ENDPOINT_2 = module.prometheus.prometheus_write_urls[1]
    LOUPE_PROMETHEUS_SERVER_NAME      = module.prometheus.prometheus_server_name
  })
}

module "grafana" {
  source      = "../grafana"
  namespace   = kubernetes_namespace.monitoring.metadata[0].name
  datasources = module.repository.grafana_datasources
  datasource_urls = {
    loupe-prometheus = module.prometheus.prometheus_url
    loupe-tempo      = module.tempo.query_url
    loupe-loki       = module.loki.query_url
  }
  dashboards          = module.repository.dashboards
  root_url            = var.grafana.root_url
  exposure            = var.exposure.grafana
  oauth               = var.grafana.oauth
  oauth_client_secret = var.grafana_oauth_client_secret
  admin_password      = var.grafana_admin_password
  tls                 = local.tls
  tls_secret_name     = kubernetes_secret.tls.metadata[0].name
}

module "agent_kubernetes" {
  count           = var.services_namespace == null ? 0 : 1
  source          = "../agent-kubernetes"
  namespace       = var.services_namespace
  collector_image = var.collector.image
  agent_settings  = module.repository.agent_settings
  environment     = var.environment
  otlp_endpoint   = "https://otel-collector.${var.namespace}.svc:4318"
  agent_image     = var.agent_images.agent
  extension_image = var.agent_images.extension
  ca_certificate  = var.ca_certificate
  agent_token     = var.agent_token
}

module "agent_systemd" {
  source         = "../agent-systemd"
  agent_settings = module.repository.agent_settings
  environment    = var.environment
  otlp_endpoint  = var.vm_agents.otlp_endpoint
  ca_file        = var.vm_agents.ca_file
  # the token is never in a drop-in: the VM's configuration tool writes this file from the secret store
  otlp_headers_file = var.vm_agents.headers_file
}
