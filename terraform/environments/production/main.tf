# Production: the gateway in two tiers, two Prometheus servers, two clustered Alertmanagers, Tempo and Loki
# in their scalable modes on object storage, Grafana behind the company's sign-in, TLS between every part.
#   terraform -chdir=terraform/environments/production apply
# What sets this environment apart; ../stack.tf (shared) hands it to modules/stack with the secrets.
locals {
  environment        = "production"
  namespace          = "loupe-monitoring"
  services_namespace = "jewelry"

  collector = {
    image                   = { repository = "registry.jewelry.internal/loupe/loupe-otelcol", tag = var.collector_image_tag }
    scale_out               = true
    routing_replicas        = 2
    sampling_replicas       = 2
    mes_metrics_target      = "mes-api.jewelry.svc:8083"
    rabbitmq_metrics_target = "rabbitmq.jewelry.svc:15692"
  }
  prometheus = {
    replicas              = 2
    alertmanager_replicas = 2
    retention             = "30d"
    retention_size        = "90GB"
    storage_size          = "100Gi"
  }
  tempo_replicas = { distributor = 2, ingester = 3, querier = 2, query_frontend = 2 }
  loki           = { deployment_mode = "SimpleScalable", replicas = 3 }
  object_storage = {
    endpoint      = "s3.eu-central-1.amazonaws.com"
    region        = "eu-central-1"
    access_key_id = var.object_storage_access_key_id
    tempo_bucket  = "jewelry-loupe-traces"
    loki_bucket   = "jewelry-loupe-logs"
  }
  grafana = {
    root_url = "https://grafana.jewelry.internal"
    oauth = {
      name                = "Jewelry sign-in"
      client_id           = "loupe-grafana"
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
  frontend_origins = ["https://shop.jewelry.example", "https://mes.jewelry.internal"]
  # their service names and pages (data-service-name, data-page): the browser pipelines refuse other services
  # and name other pages _OTHER; a new front end or page is added here
  frontend_services = ["shop-web", "mes-web"]
  frontend_pages    = ["order-form", "orders-page"]
  # from outside the cluster, each endpoint on its own (terraform/README.md, "Reaching it from outside"): the
  # Ingresses are ingress-nginx's and speak HTTPS to the parts, which serve TLS themselves; the agents' port
  # is an internal AWS load balancer passing TLS through to the gateway
  exposure = {
    grafana  = { kind = "Ingress", host = "grafana.jewelry.internal", ingress_class = "nginx", annotations = local.https_backend, tls_secret_name = "grafana-ingress-tls" }
    otlp     = { kind = "LoadBalancer", host = "otel-collector.jewelry.internal", annotations = { "service.beta.kubernetes.io/aws-load-balancer-scheme" = "internal" } }
    frontend = { kind = "Ingress", host = "otel-browser.jewelry.example", ingress_class = "nginx", annotations = local.https_backend, tls_secret_name = "otel-browser-ingress-tls" }
  }
  https_backend = { "nginx.ingress.kubernetes.io/backend-protocol" = "HTTPS" }
  vm_agents = {
    otlp_endpoint = "https://otel-collector.jewelry.internal:4318"
    ca_file       = "/etc/loupe/ca.crt"
    headers_file  = "/etc/loupe/otlp-headers.env"
  }
}
