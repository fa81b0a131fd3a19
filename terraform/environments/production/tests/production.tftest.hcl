# terraform test with mock providers: what production would hand the charts, compared with the repository's
# own files, read here again and independently of modules/repository. Run by TerraformProvidersIT.
mock_provider "helm" {}
mock_provider "kubernetes" {}

# placeholders of the secrets' shape, so the checks can see none of them reaches a chart's values
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

run "production" {
  command = plan

  # the Collector: two tiers, each its files in the order collector-config/README.md gives, unchanged
  assert {
    condition     = keys(module.stack.helm_values.collector) == ["otel-collector", "otel-collector-sampling", "otel-collector-scrape"]
    error_message = "production runs the routing tier, the sampling tier and one scraping Collector"
  }
  assert {
    condition = module.stack.helm_values.collector["otel-collector"].command.extraArgs == [
      "--config=/etc/loupe/otelcol/gateway.yaml", "--config=/etc/loupe/otelcol/production.yaml", "--config=/etc/loupe/otelcol/scale-out-routing.yaml",
      "--config=/etc/loupe/otelcol/prometheus-replicas.yaml",
    ]
    error_message = "the routing tier merges gateway.yaml, production.yaml, scale-out-routing.yaml, prometheus-replicas.yaml, in this order"
  }
  assert {
    condition = module.stack.helm_values.collector["otel-collector-sampling"].command.extraArgs == [
      "--config=/etc/loupe/otelcol/gateway.yaml", "--config=/etc/loupe/otelcol/production.yaml", "--config=/etc/loupe/otelcol/scale-out-sampling.yaml",
      "--config=/etc/loupe/otelcol/prometheus-replicas.yaml",
    ]
    error_message = "the sampling tier merges gateway.yaml, production.yaml, scale-out-sampling.yaml, prometheus-replicas.yaml, in this order"
  }
  assert {
    condition = module.stack.helm_values.collector["otel-collector-scrape"].command.extraArgs == [
      "--config=/etc/loupe/otelcol/gateway.yaml", "--config=/etc/loupe/otelcol/production.yaml", "--config=/etc/loupe/otelcol/prometheus-replicas.yaml",
    ]
    error_message = "the scraping Collector merges gateway.yaml, production.yaml, prometheus-replicas.yaml, in this order"
  }
  # two Prometheus replicas: every Collector writes every series to each replica by its pod's name (the
  # chart's StatefulSet pods <server.fullnameOverride>-<n> under <server.fullnameOverride>-headless, on the
  # server's port 9090), checking the certificate for the Service's name
  assert {
    condition = alltrue(flatten([for tier in values(module.stack.helm_values.collector) : [
      one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_PROMETHEUS_WRITE_ENDPOINT"]) == "https://prometheus-0.prometheus-headless.loupe-monitoring.svc:9090/api/v1/write",
      one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_PROMETHEUS_WRITE_ENDPOINT_2"]) == "https://prometheus-1.prometheus-headless.loupe-monitoring.svc:9090/api/v1/write",
      one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_PROMETHEUS_SERVER_NAME"]) == "prometheus.loupe-monitoring.svc",
    ]]))
    error_message = "every Collector tier writes to prometheus-0 and prometheus-1 under prometheus-headless and checks prometheus.loupe-monitoring.svc"
  }
  assert {
    condition = (
      module.stack.helm_values.prometheus.server.fullnameOverride == "prometheus" && module.stack.helm_values.prometheus.server.statefulSet.enabled
      && module.stack.helm_values.prometheus.server.replicaCount == 2
    )
    error_message = "the Collectors' pod names are the chart's: a StatefulSet of two named prometheus (pods prometheus-0, prometheus-1 under prometheus-headless)"
  }
  assert {
    condition = alltrue([
      for name, exporter in yamldecode(file("${path.module}/../../../collector-config/overrides/prometheus-replicas.yaml")).exporters :
      exporter.tls.server_name_override == "$${env:LOUPE_PROMETHEUS_SERVER_NAME:-prometheus}"
      && startswith(exporter.endpoint, name == "prometheus_remote_write" ? "$${env:LOUPE_PROMETHEUS_WRITE_ENDPOINT:-" : "$${env:LOUPE_PROMETHEUS_WRITE_ENDPOINT_2:-")
    ])
    error_message = "prometheus-replicas.yaml's two exporters read the endpoints and the server name these variables set"
  }
  assert {
    condition = module.stack.helm_values.tempo.tempo.structuredConfig.metrics_generator.storage.remote_write == [
      for url in ["https://prometheus-0.prometheus-headless.loupe-monitoring.svc:9090/api/v1/write", "https://prometheus-1.prometheus-headless.loupe-monitoring.svc:9090/api/v1/write"] :
      merge(one(yamldecode(file("${path.module}/../../../collector-config/backends/tempo.yaml")).metrics_generator.storage.remote_write), {
        url        = url
        tls_config = { ca_file = "/etc/loupe/tls/ca.crt", server_name = "prometheus.loupe-monitoring.svc" }
      })
    ]
    error_message = "Tempo's metrics generator writes backends/tempo.yaml's remote write to each Prometheus replica, checking the Service's name"
  }
  assert {
    condition = alltrue([
      module.stack.collector_config_maps["otel-collector"]["gateway.yaml"] == file("${path.module}/../../../collector-config/gateway.yaml"),
      module.stack.collector_config_maps["otel-collector"]["production.yaml"] == file("${path.module}/../../../collector-config/overrides/production.yaml"),
      module.stack.collector_config_maps["otel-collector"]["scale-out-routing.yaml"] == file("${path.module}/../../../collector-config/overrides/scale-out-routing.yaml"),
      module.stack.collector_config_maps["otel-collector-sampling"]["scale-out-sampling.yaml"] == file("${path.module}/../../../collector-config/overrides/scale-out-sampling.yaml"),
      alltrue([for tier in values(module.stack.collector_config_maps) : tier["prometheus-replicas.yaml"] == file("${path.module}/../../../collector-config/overrides/prometheus-replicas.yaml")]),
    ])
    error_message = "every tier's config files are the repository's, byte for byte"
  }
  assert {
    condition     = module.stack.helm_values.collector["otel-collector"].configMap.create == false
    error_message = "the chart's own default config is off: the Collector gets only the repository's files"
  }
  assert {
    condition     = module.stack.helm_values.collector["otel-collector"].replicaCount == 2 && module.stack.helm_values.collector["otel-collector-sampling"].replicaCount == 2
    error_message = "two routing and two sampling Collectors"
  }
  assert {
    condition     = module.stack.helm_values.collector["otel-collector-sampling"].service.clusterIP == "None"
    error_message = "the sampling tier's Service is headless, so the routing tier's DNS resolver sees every sampler"
  }
  assert {
    condition     = one([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e.value if e.name == "LOUPE_SAMPLING_TIER_HOST"]) == "otel-collector-sampling.loupe-monitoring.svc"
    error_message = "the routing tier resolves the sampling tier's headless Service"
  }

  assert {
    condition = alltrue([for tier in values(module.stack.helm_values.collector) :
      !tier.useGOMEMLIMIT && one([for e in tier.extraEnvs : e.value if e.name == "GOMEMLIMIT"]) == "384MiB"
    ])
    error_message = "every Collector runs with GOMEMLIMIT at 60 % of its 640Mi (collector-config/README.md), not the chart's 80 %"
  }

  # from outside: Grafana, the VMs' agents (4318) and the browsers (4319), each on its own
  assert {
    condition = (
      module.stack.helm_values.collector["otel-collector"].ports["otlp-frontend"] == { enabled = true, containerPort = 4319, servicePort = 4319, protocol = "TCP" }
      && !module.stack.helm_values.collector["otel-collector-sampling"].ports["otlp-frontend"].enabled
      && !module.stack.helm_values.collector["otel-collector-scrape"].ports["otlp-frontend"].enabled
    )
    error_message = "the tier agents and browsers send to has the browsers' port 4319 (gateway.yaml's otlp/frontend) on its Service, the other tiers not"
  }
  assert {
    condition = (
      yamldecode(file("${path.module}/../../../collector-config/gateway.yaml")).receivers["otlp/frontend"].protocols.http.cors.allowed_origins == "$${env:LOUPE_FRONTEND_ORIGINS:-[]}"
      && alltrue([for tier in values(module.stack.helm_values.collector) :
      yamldecode(one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_FRONTEND_ORIGINS"])) == ["https://shop.jewelry.example", "https://mes.jewelry.internal"]])
    )
    error_message = "the gateway's browser receiver answers the front ends' origins (LOUPE_FRONTEND_ORIGINS, a YAML list), not none"
  }
  assert {
    condition = (
      strcontains(file("${path.module}/../../../collector-config/gateway.yaml"), "$${env:LOUPE_FRONTEND_SERVICES:-")
      && strcontains(file("${path.module}/../../../collector-config/gateway.yaml"), "$${env:LOUPE_FRONTEND_PAGES:-")
      && alltrue([for tier in values(module.stack.helm_values.collector) :
        one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_FRONTEND_SERVICES"]) == "shop-web|mes-web"
      && one([for e in tier.extraEnvs : e.value if e.name == "LOUPE_FRONTEND_PAGES"]) == "order-form|orders-page"])
    )
    error_message = "the browser pipelines get the environment's front ends and pages (LOUPE_FRONTEND_SERVICES, LOUPE_FRONTEND_PAGES, joined with |)"
  }
  assert {
    condition = (
      module.stack.helm_values.collector["otel-collector"].ingress.enabled
      && module.stack.helm_values.collector["otel-collector"].ingress.name == "frontend"
      && module.stack.helm_values.collector["otel-collector"].ingress.hosts == [{ host = "otel-browser.jewelry.example", paths = [{ path = "/", pathType = "Prefix", port = 4319 }] }]
      && module.stack.helm_values.collector["otel-collector"].ingress.tls == [{ secretName = "otel-browser-ingress-tls", hosts = ["otel-browser.jewelry.example"] }]
      && module.stack.helm_values.collector["otel-collector"].ingress.additionalIngresses == []
      && !module.stack.helm_values.collector["otel-collector-sampling"].ingress.enabled
    )
    error_message = "the browsers reach 4319 at otel-browser.jewelry.example (frontend-telemetry's collectorUrl) through an Ingress of the routing tier"
  }
  assert {
    condition = (
      keys(module.stack.exposed_services.collector) == ["otlp"]
      && module.stack.exposed_services.collector.otlp.name == "otel-collector-otlp"
      && module.stack.exposed_services.collector.otlp.type == "LoadBalancer"
      && module.stack.exposed_services.collector.otlp.port == 4318
      && module.stack.exposed_services.collector.otlp.selector == tomap({ "app.kubernetes.io/name" = "opentelemetry-collector", "app.kubernetes.io/instance" = "otel-collector" })
    )
    error_message = "the VMs' agents reach the routing tier's 4318, and only that port, through a LoadBalancer"
  }
  assert {
    condition     = strcontains(module.stack.systemd_drop_ins["shop-api"], "OTEL_EXPORTER_OTLP_ENDPOINT=https://${local.exposure.otlp.host}:4318")
    error_message = "the VMs' drop-ins send to the host the gateway's 4318 is exposed at"
  }
  assert {
    condition = (
      module.stack.helm_values.grafana.ingress.enabled && module.stack.helm_values.grafana.ingress.hosts == ["grafana.jewelry.internal"]
      && "https://${module.stack.helm_values.grafana.ingress.hosts[0]}" == module.stack.helm_values.grafana["grafana.ini"].server.root_url
      && module.stack.helm_values.grafana.ingress.annotations["nginx.ingress.kubernetes.io/backend-protocol"] == "HTTPS"
      && module.stack.exposed_services.grafana == null
    )
    error_message = "Grafana is reached at root_url's host through an Ingress that speaks HTTPS to it"
  }

  # Prometheus: the rule groups are the repository's
  assert {
    condition = alltrue([
      for f in fileset("${path.module}/../../../alert-rules/rules", "*.yml") :
      module.stack.helm_values.prometheus.serverFiles[f] == yamldecode(file("${path.module}/../../../alert-rules/rules/${f}"))
    ])
    error_message = "every rule file of alert-rules/rules/ is loaded, its groups unchanged"
  }
  assert {
    condition = sort(module.stack.helm_values.prometheus.serverFiles["prometheus.yml"].rule_files) == sort([
      for f in fileset("${path.module}/../../../alert-rules/rules", "*.yml") : "/etc/config/${f}"
    ])
    error_message = "Prometheus's rule_files name exactly the repository's rule files"
  }
  assert {
    condition     = module.stack.helm_values.prometheus.server.replicaCount == 2 && module.stack.helm_values.prometheus.server.statefulSet.enabled
    error_message = "two Prometheus replicas"
  }
  assert {
    condition     = module.stack.helm_values.prometheus.server.retention == "30d"
    error_message = "production keeps 30 days of metrics (terraform/README.md)"
  }
  assert {
    condition     = module.stack.helm_values.prometheus.server.global == yamldecode(file("${path.module}/../../../collector-config/backends/prometheus.yml")).global
    error_message = "Prometheus's global section (intervals, external labels) is the repository's"
  }
  assert {
    condition = [for j in module.stack.helm_values.prometheus.serverFiles["prometheus.yml"].scrape_configs : j if !contains(["otel-collector", "prometheus"], j.job_name)] == [
      for j in yamldecode(file("${path.module}/../../../collector-config/backends/prometheus.yml")).scrape_configs : j if !contains(["otel-collector", "prometheus"], j.job_name)
    ]
    error_message = "every scrape job of backends/prometheus.yml but the two a cluster changes (the Collector's pods, Prometheus over TLS) is deployed as written, the reconciler's among them"
  }
  assert {
    condition     = module.stack.helm_values.prometheus.serverFiles["prometheus.yml"].alerting.alertmanagers[0].scheme == "https"
    error_message = "Prometheus reaches Alertmanager over TLS"
  }
  # TLS to a pod's IP or to localhost: the name checked is a Service's, which the *.<namespace>.svc certificate holds
  assert {
    condition     = module.stack.helm_values.prometheus.serverFiles["prometheus.yml"].alerting.alertmanagers[0].tls_config.server_name == "alertmanager.loupe-monitoring.svc"
    error_message = "Prometheus finds the Alertmanagers by their pods' IPs: it must check the certificate for the Service's name, or no alert is sent"
  }
  assert {
    condition = one([for j in module.stack.helm_values.prometheus.serverFiles["prometheus.yml"].scrape_configs : j if j.job_name == "prometheus"]).tls_config == {
      ca_file = "/etc/loupe/tls/ca.crt", server_name = "prometheus.loupe-monitoring.svc"
    }
    error_message = "Prometheus scrapes itself at localhost over TLS, checking the certificate for its Service's name"
  }
  assert {
    condition = (
      yamldecode(file("${path.module}/../../../collector-config/overrides/scale-out-routing.yaml")).exporters["load_balancing/sampling-tier"].protocol.otlp.tls.server_name_override
      == "$${env:LOUPE_SAMPLING_TIER_SERVER_NAME:-otel-collector-sampling-headless}"
      && one([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e.value if e.name == "LOUPE_SAMPLING_TIER_SERVER_NAME"]) == "otel-collector-sampling.loupe-monitoring.svc"
    )
    error_message = "the routing tier dials each sampler's IP: its TLS checks the sampling Service's name (LOUPE_SAMPLING_TIER_SERVER_NAME)"
  }

  # with TLS on, the kubelet's probes speak HTTPS, or no pod becomes Ready (each chart's own key)
  assert {
    condition = alltrue([
      module.stack.helm_values.prometheus.server.probeScheme == "HTTPS",
      module.stack.helm_values.alertmanager.readinessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.alertmanager.livenessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.tempo.tempo.readinessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.tempo.tempo.livenessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.loki.loki.readinessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.grafana.readinessProbe.httpGet.scheme == "HTTPS",
      module.stack.helm_values.grafana.livenessProbe.httpGet.scheme == "HTTPS",
    ])
    error_message = "Prometheus, Alertmanager, Tempo, Loki and Grafana serve only TLS: their probes must be HTTPS"
  }
  # the Collector's probes go to health_check, which serves plain HTTP (gateway.yaml, production.yaml give it no TLS)
  assert {
    condition = (
      !can(yamldecode(file("${path.module}/../../../collector-config/overrides/production.yaml")).extensions.health_check.tls)
      && alltrue([for tier in values(module.stack.helm_values.collector) : !can(tier.livenessProbe.httpGet.scheme) && !can(tier.readinessProbe.httpGet.scheme)])
    )
    error_message = "the Collector's health_check has no TLS, so its probes keep the chart's HTTP"
  }

  # Alertmanager: the repository's config and templates, two replicas in one cluster
  assert {
    condition     = { for k, v in module.stack.helm_values.alertmanager.config : k => v if k != "enabled" } == yamldecode(file("${path.module}/../../../alert-rules/alertmanager/alertmanager.yml"))
    error_message = "Alertmanager's config is alert-rules/alertmanager/alertmanager.yml"
  }
  assert {
    condition     = module.stack.helm_values.alertmanager.replicaCount == 2
    error_message = "two Alertmanager replicas (the chart makes them one gossip cluster)"
  }
  assert {
    condition = alltrue([
      for f in fileset("${path.module}/../../../alert-rules/alertmanager/templates", "*.tmpl") :
      module.stack.alertmanager_templates[f] == file("${path.module}/../../../alert-rules/alertmanager/templates/${f}")
    ])
    error_message = "every notification template is deployed unchanged"
  }

  # Tempo and Loki: scalable, on object storage, the repository's retention
  assert {
    condition     = module.stack.helm_values.tempo.storage.trace.backend == "s3" && module.stack.helm_values.tempo.ingester.replicas == 3 && module.stack.helm_values.tempo.ingester.config.replication_factor == 3
    error_message = "Tempo on object storage, three ingesters, each span on three of them"
  }
  # Tempo serves gRPC only over TLS: its own components' clients and the Collectors' receiver speak it too
  assert {
    condition = alltrue([for c in [
      module.stack.helm_values.tempo.tempo.structuredConfig.ingester_client.grpc_client_config,
      module.stack.helm_values.tempo.tempo.structuredConfig.metrics_generator_client.grpc_client_config,
      module.stack.helm_values.tempo.tempo.structuredConfig.querier.frontend_worker.grpc_client_config,
    ] : c.tls_enabled && c.tls_ca_path == "/etc/loupe/tls/ca.crt" && endswith(c.tls_server_name, ".loupe-monitoring.svc")])
    error_message = "Tempo's ingester, metrics-generator and query-frontend clients speak TLS, trust the CA and check a Service's name"
  }
  assert {
    condition     = module.stack.helm_values.tempo.traces.otlp.grpc.receiverConfig.tls.cert_file == "/etc/loupe/tls/tls.crt" && startswith(one([for e in module.stack.helm_values.collector["otel-collector"].extraEnvs : e.value if e.name == "LOUPE_TEMPO_OTLP_ENDPOINT"]), "tempo-distributor.loupe-monitoring.svc:")
    error_message = "Tempo's OTLP receiver serves TLS, which the Collectors' otlp_grpc/tempo speaks"
  }
  assert {
    condition     = module.stack.helm_values.tempo.tempo.structuredConfig.compactor == yamldecode(file("${path.module}/../../../collector-config/backends/tempo.yaml")).compactor
    error_message = "Tempo's retention is collector-config/backends/tempo.yaml's"
  }
  assert {
    condition     = module.stack.helm_values.loki.deploymentMode == "SimpleScalable" && module.stack.helm_values.loki.loki.storage.type == "s3"
    error_message = "Loki in simple scalable mode on object storage"
  }
  # Loki serves gRPC only over TLS: its targets' clients speak it too
  assert {
    condition = alltrue([for c in [
      module.stack.helm_values.loki.loki.structuredConfig.ingester_client.grpc_client_config,
      module.stack.helm_values.loki.loki.structuredConfig.frontend_worker.grpc_client_config,
      module.stack.helm_values.loki.loki.structuredConfig.frontend.grpc_client_config,
      module.stack.helm_values.loki.loki.structuredConfig.query_scheduler.grpc_client_config,
      module.stack.helm_values.loki.loki.structuredConfig.storage_config.tsdb_shipper.index_gateway_client.grpc_client_config,
      module.stack.helm_values.loki.loki.structuredConfig.compactor_grpc_client,
      module.stack.helm_values.loki.loki.structuredConfig.ruler.ruler_client,
    ] : c.tls_enabled && c.tls_ca_path == "/etc/loupe/tls/ca.crt" && endswith(c.tls_server_name, ".loupe-monitoring.svc")])
    error_message = "every gRPC client between Loki's targets speaks TLS, trusts the CA and checks a Service's name"
  }
  assert {
    condition     = module.stack.helm_values.loki.loki.structuredConfig.limits_config == yamldecode(file("${path.module}/../../../collector-config/backends/loki.yaml")).limits_config
    error_message = "Loki's limits (retention, index labels, structured metadata) are collector-config/backends/loki.yaml's"
  }

  # Grafana: signed in only, every dashboard, the repository's data sources
  assert {
    condition     = module.stack.helm_values.grafana["grafana.ini"]["auth.anonymous"].enabled == false && module.stack.helm_values.grafana["grafana.ini"]["auth.generic_oauth"].enabled
    error_message = "no anonymous access; the company's sign-in"
  }
  assert {
    condition = length(flatten([for p in values(module.stack.helm_values.grafana.dashboards) : keys(p)])) == length([
      for f in fileset("${path.module}/../../..", "dashboards/**/*.json") : f
      if length(regexall("(^|/)(target|node_modules)/", f)) == 0 && can(jsondecode(file("${path.module}/../../../${f}")).panels)
    ])
    error_message = "every dashboard JSON under dashboards/ is provisioned"
  }
  assert {
    condition = [for d in module.stack.helm_values.grafana.datasources["datasources.yaml"].datasources : d.uid] == [
      for d in yamldecode(file("${path.module}/../../../collector-config/backends/grafana-datasources.yaml")).datasources : d.uid
    ]
    error_message = "the data sources are collector-config/backends/grafana-datasources.yaml's"
  }

  # the agent on Kubernetes: one Instrumentation per service of agent-extension/config/
  assert {
    condition = sort([for i in module.stack.helm_values.instrumentation.instrumentations : i.name]) == sort([
      for f in fileset("${path.module}/../../../agent-extension/config", "*.properties") : trimsuffix(f, ".properties")
    ])
    error_message = "an Instrumentation for every service with settings in agent-extension/config/"
  }

  assert {
    condition = contains(
      [for e in one([for i in module.stack.helm_values.instrumentation.instrumentations : i.env if i.name == "shop-api"]) : "${e.name}=${e.value}"],
      "LOUPE_ORDER_ID_METHODS=${regex("(?m)^loupe\\.order-id\\.methods=(.*)$", file("${path.module}/../../../agent-extension/config/shop-api.properties"))[0]}",
    )
    error_message = "shop-api's Instrumentation carries its settings file's loupe.order-id.methods as LOUPE_ORDER_ID_METHODS"
  }
  assert {
    condition = contains(
      [for e in one([for i in module.stack.helm_values.instrumentation.instrumentations : i.env if i.name == "mes-api"]) : "${e.name}=${e.value}"],
      "OTEL_RESOURCE_ATTRIBUTES=service.namespace=jewelry,deployment.environment.name=production",
    )
    error_message = "the environment's name is added to the settings file's resource attributes"
  }

  # no secret in any chart's values: they live in Kubernetes Secrets
  assert {
    condition = alltrue([for s in [
      var.tls_private_key, var.agent_token, var.object_storage_secret_key, var.pagerduty_routing_key, var.oncall_slack_webhook_url,
      var.team_slack_webhook_url, var.deadmans_switch_token, var.grafana_oauth_client_secret, var.grafana_admin_password,
    ] : !strcontains(jsonencode(module.stack.helm_values), s)])
    error_message = "a secret reached a chart's values"
  }
}
