# Staging: one of each part (a single gateway, one Prometheus, one Alertmanager, Loki as one binary), on the
# same object store and sign-in as production and with TLS too, so what is tried here is what production runs.
#   terraform -chdir=terraform/environments/staging apply
# What sets this environment apart; ../stack.tf (shared) hands it to modules/stack with the secrets.
locals {
  environment        = "staging"
  namespace          = "loupe-monitoring-staging"
  services_namespace = "jewelry-staging"

  collector = {
    image                   = { repository = "registry.jewelry.internal/loupe/loupe-otelcol", tag = var.collector_image_tag }
    scale_out               = false
    mes_metrics_target      = "mes-api.jewelry-staging.svc:8083"
    rabbitmq_metrics_target = "rabbitmq.jewelry-staging.svc:15692"
  }
  prometheus = {
    replicas              = 1
    alertmanager_replicas = 1
    retention             = "7d"
    retention_size        = "18GB"
    storage_size          = "20Gi"
  }
  tempo_replicas = { distributor = 1, ingester = 1, querier = 1, query_frontend = 1 }
  loki           = { deployment_mode = "SingleBinary" }
  object_storage = {
    endpoint      = "s3.eu-central-1.amazonaws.com"
    region        = "eu-central-1"
    access_key_id = var.object_storage_access_key_id
    tempo_bucket  = "jewelry-loupe-staging-traces"
    loki_bucket   = "jewelry-loupe-staging-logs"
  }
  grafana = {
    root_url = "https://grafana-staging.jewelry.internal"
    oauth = {
      name                = "Jewelry sign-in"
      client_id           = "loupe-grafana-staging"
      auth_url            = "https://sso.jewelry.internal/oauth2/authorize"
      token_url           = "https://sso.jewelry.internal/oauth2/token"
      api_url             = "https://sso.jewelry.internal/oauth2/userinfo"
      allowed_groups      = ["loupe-oncall", "loupe-developers"]
      role_attribute_path = "contains(groups[*], 'loupe-oncall') && 'Editor' || 'Viewer'"
    }
  }
  agent_images = {
    agent     = "registry.jewelry.internal/loupe/autoinstrumentation-java:2.31.1"
    extension = "registry.jewelry.internal/loupe/loupe-agent-extension:0.1.0"
  }
  # the front ends whose pages send browser telemetry (frontend-telemetry/README.md): CORS answers no other
  frontend_origins = ["https://shop-staging.jewelry.example", "https://mes-staging.jewelry.internal"]
  # their service names and pages (data-service-name, data-page); a new front end or page is added here
  frontend_services = ["shop-web", "mes-web"]
  frontend_pages    = ["order-form", "orders-page"]
  # from outside the cluster, each endpoint on its own (terraform/README.md, "Reaching it from outside"): the
  # Ingresses are ingress-nginx's and speak HTTPS to the parts, which serve TLS themselves; the agents' port
  # is an internal AWS load balancer passing TLS through to the gateway
  exposure = {
    grafana  = { kind = "Ingress", host = "grafana-staging.jewelry.internal", ingress_class = "nginx", annotations = local.https_backend, tls_secret_name = "grafana-ingress-tls" }
    otlp     = { kind = "LoadBalancer", host = "otel-collector-staging.jewelry.internal", annotations = { "service.beta.kubernetes.io/aws-load-balancer-scheme" = "internal" } }
    frontend = { kind = "Ingress", host = "otel-browser-staging.jewelry.example", ingress_class = "nginx", annotations = local.https_backend, tls_secret_name = "otel-browser-ingress-tls" }
  }
  https_backend = { "nginx.ingress.kubernetes.io/backend-protocol" = "HTTPS" }
  vm_agents = {
    otlp_endpoint = "https://otel-collector-staging.jewelry.internal:4318"
    ca_file       = "/etc/loupe/ca.crt"
    headers_file  = "/etc/loupe/otlp-headers.env"
  }
}
