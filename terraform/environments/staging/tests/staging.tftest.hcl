# terraform test with mock providers: staging runs one of each part, with the same files as production.
# Run by TerraformProvidersIT.
mock_provider "helm" {}
mock_provider "kubernetes" {}

variables {
  kube_context                 = "test"
  collector_image_tag          = "0.161.0"
  tls_certificate              = "test-placeholder-certificate"
  tls_private_key              = "test-placeholder-private-key"
  ca_certificate               = "test-placeholder-ca"
  agent_token                  = "test-placeholder-agent-token"
  object_storage_access_key_id = "test-placeholder-access-key-id"
  object_storage_secret_key    = "test-placeholder-secret-key"
  pagerduty_routing_key        = "test-placeholder-pagerduty"
  oncall_slack_webhook_url     = "test-placeholder-oncall-webhook"
  team_slack_webhook_url       = "test-placeholder-team-webhook"
  deadmans_switch_token        = "test-placeholder-deadmans-switch"
  grafana_oauth_client_secret  = "test-placeholder-oauth-secret"
  grafana_admin_password       = "test-placeholder-admin-password"
}

run "staging" {
  command = plan

  assert {
    condition     = keys(module.stack.helm_values.collector) == ["otel-collector"]
    error_message = "staging runs one gateway"
  }
  assert {
    condition     = module.stack.helm_values.collector["otel-collector"].command.extraArgs == ["--config=/etc/loupe/otelcol/gateway.yaml", "--config=/etc/loupe/otelcol/production.yaml"]
    error_message = "the single gateway merges gateway.yaml and production.yaml"
  }
  assert {
    condition = alltrue([for f, text in module.stack.collector_config_maps["otel-collector"] :
    text == file("${path.module}/../../../collector-config/${f == "gateway.yaml" ? f : "overrides/${f}"}")])
    error_message = "the gateway's files are the repository's, byte for byte"
  }
  assert {
    condition = alltrue([
      for f in fileset("${path.module}/../../../alert-rules/rules", "*.yml") :
      module.stack.helm_values.prometheus.serverFiles[f] == yamldecode(file("${path.module}/../../../alert-rules/rules/${f}"))
    ])
    error_message = "every rule file of alert-rules/rules/ is loaded, its groups unchanged"
  }
  assert {
    condition     = module.stack.helm_values.prometheus.server.replicaCount == 1 && module.stack.helm_values.alertmanager.replicaCount == 1
    error_message = "one Prometheus, one Alertmanager"
  }
  assert {
    condition = (
      one([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e.value if e.name == "LOUPE_PROMETHEUS_WRITE_ENDPOINT"]) == "https://prometheus.loupe-monitoring-staging.svc:80/api/v1/write"
      && length([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e if e.name == "LOUPE_PROMETHEUS_WRITE_ENDPOINT_2"]) == 0
      && [for w in module.stack.helm_values.tempo.tempo.structuredConfig.metrics_generator.storage.remote_write : w.url] == ["https://prometheus.loupe-monitoring-staging.svc:80/api/v1/write"]
    )
    error_message = "one Prometheus is written to through its Service, by the gateway and Tempo alike, with no second exporter"
  }
  assert {
    condition     = module.stack.helm_values.tempo.ingester.replicas == 1 && module.stack.helm_values.tempo.ingester.config.replication_factor == 1
    error_message = "one Tempo ingester keeps each span once: the chart's replication factor of 3 would refuse every write"
  }
  assert {
    condition = (
      module.stack.helm_values.collector["otel-collector"].ports["otlp-frontend"].enabled
      && yamldecode(one([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e.value if e.name == "LOUPE_FRONTEND_ORIGINS"])) == ["https://shop-staging.jewelry.example", "https://mes-staging.jewelry.internal"]
      && module.stack.helm_values.collector["otel-collector"].ingress.hosts[0].host == "otel-browser-staging.jewelry.example"
      && module.stack.exposed_services.collector.otlp.port == 4318
      && module.stack.helm_values.grafana.ingress.hosts == ["grafana-staging.jewelry.internal"]
    )
    error_message = "staging's gateway takes its front ends' browsers on 4319 (Ingress) and the VMs' agents on 4318 (LoadBalancer); Grafana has an Ingress"
  }
  assert {
    condition     = module.stack.helm_values.loki.deploymentMode == "SingleBinary"
    error_message = "Loki as one binary"
  }
  assert {
    condition     = module.stack.helm_values.grafana["grafana.ini"]["auth.anonymous"].enabled == false
    error_message = "no anonymous access in staging either"
  }
  assert {
    condition     = strcontains(module.stack.systemd_drop_ins["shop-api"], "deployment.environment.name=staging")
    error_message = "the VMs' drop-ins name the environment"
  }
}
