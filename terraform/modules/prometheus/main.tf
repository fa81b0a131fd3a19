# Prometheus and Alertmanager with the upstream prometheus-community charts (prometheus, alertmanager):
# the rule files, Prometheus's config and Alertmanager's config and templates as the repository has them;
# only what a cluster changes is changed here (file paths, how Prometheus finds the Collectors and every
# Alertmanager replica, TLS), and the checks compare the rest with the repository.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm" }
    kubernetes = { source = "hashicorp/kubernetes" }
  }
}

locals {
  repo_config = yamldecode(var.prometheus_config)
  scheme      = var.tls ? "https" : "http"
  # the kubelet's probes speak what the server serves: the charts' HTTP would never see a TLS-only pod Ready
  probe_scheme = upper(local.scheme)
  tls_dir      = "/etc/loupe/tls"
  # what Prometheus dials is a pod's IP (Alertmanager's A records) or localhost, which no certificate names:
  # the name checked is the Service's, one the certificate holds (*.<namespace>.svc)
  tls_client = { for service in [var.alertmanager_name, var.prometheus_name] : service => var.tls ? {
    tls_config = { ca_file = "${local.tls_dir}/ca.crt", server_name = "${service}.${var.namespace}.svc" }
  } : {} }
  web_config = { tls_server_config = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key", min_version = "TLS12" } }

  self_scrape = merge(local.tls_client[var.prometheus_name], { scheme = local.scheme })
  collector_job = {
    job_name              = "otel-collector"
    kubernetes_sd_configs = [{ role = "pod", namespaces = { names = [var.namespace] } }]
    relabel_configs = [
      { source_labels = ["__meta_kubernetes_pod_label_app_kubernetes_io_name"], regex = "opentelemetry-collector", action = "keep" },
      { source_labels = ["__meta_kubernetes_pod_container_port_number"], regex = "8888", action = "keep" },
      { target_label = "service", replacement = "otel-collector" },
      { source_labels = ["__meta_kubernetes_pod_name"], target_label = "instance" },
    ]
  }

  prometheus_config = merge(
    { for k, v in local.repo_config : k => v if k != "global" }, # the chart takes global from server.global
    {
      rule_files = [for name in keys(var.rule_files) : "/etc/config/${name}"]
      # every Prometheus sends to every Alertmanager replica (they deduplicate and share silences)
      alerting = {
        alertmanagers = [merge({
          scheme         = local.scheme
          dns_sd_configs = [{ names = ["${var.alertmanager_name}-headless.${var.namespace}.svc"], type = "A", port = 9093 }]
        }, local.tls_client[var.alertmanager_name])]
      }
      # the Collector has one Service per tier over several pods: each pod is scraped, with the service
      # label of docs/label-contract.md; Prometheus scrapes itself over TLS. (jsonencode/jsondecode: the
      # jobs differ in shape, which a conditional of objects refuses.)
      scrape_configs = [for job in local.repo_config.scrape_configs : jsondecode(
        job.job_name == "otel-collector" ? jsonencode(local.collector_job) :
        jsonencode(merge(job, jsondecode(job.job_name == "prometheus" ? jsonencode(local.self_scrape) : "{}")))
      )]
    },
  )
}

resource "kubernetes_config_map" "alertmanager_templates" {
  metadata {
    name      = "${var.alertmanager_name}-templates"
    namespace = var.namespace
  }
  data = var.alertmanager_templates
}

# alertmanager.yml reads its receivers' secrets from secrets/<name>, beside itself
resource "kubernetes_secret" "alertmanager" {
  metadata {
    name      = "${var.alertmanager_name}-receivers"
    namespace = var.namespace
  }
  data = {
    "pagerduty-routing-key"    = var.pagerduty_routing_key
    "oncall-slack-webhook-url" = var.oncall_slack_webhook_url
    "team-slack-webhook-url"   = var.team_slack_webhook_url
    "deadmans-switch-token"    = var.deadmans_switch_token
  }
}

resource "kubernetes_config_map" "alertmanager_web" {
  count = var.tls ? 1 : 0
  metadata {
    name      = "${var.alertmanager_name}-web"
    namespace = var.namespace
  }
  data = { "web.yml" = yamlencode(local.web_config) }
}

resource "helm_release" "alertmanager" {
  name       = var.alertmanager_name
  namespace  = var.namespace
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "alertmanager"
  version    = var.alertmanager_chart_version
  values = [yamlencode({
    fullnameOverride = var.alertmanager_name
    # more than one replica: a StatefulSet whose pods gossip as one cluster (--cluster.peer per replica)
    replicaCount = var.alertmanager_replicas
    config       = merge({ enabled = true }, yamldecode(var.alertmanager_config))
    extraArgs    = var.tls ? { "web.config.file" = "/etc/loupe/web/web.yml" } : {}
    extraSecretMounts = concat(
      [{ name = "receivers", mountPath = "/etc/alertmanager/secrets", secretName = kubernetes_secret.alertmanager.metadata[0].name, readOnly = true }],
      var.tls ? [{ name = "tls", mountPath = local.tls_dir, secretName = var.tls_secret_name, readOnly = true }] : [],
    )
    extraVolumes = concat(
      [{ name = "templates", configMap = { name = kubernetes_config_map.alertmanager_templates.metadata[0].name } }],
      var.tls ? [{ name = "web", configMap = { name = kubernetes_config_map.alertmanager_web[0].metadata[0].name } }] : [],
    )
    extraVolumeMounts = concat(
      # alertmanager.yml's templates/*.tmpl, beside the config the chart mounts at /etc/alertmanager
      [{ name = "templates", mountPath = "/etc/alertmanager/templates", readOnly = true }],
      var.tls ? [{ name = "web", mountPath = "/etc/loupe/web", readOnly = true }] : [],
    )
    persistence = { enabled = true, size = "1Gi" }
    # the chart's probes (GET / on the http port), in the scheme Alertmanager serves
    livenessProbe  = { httpGet = { scheme = local.probe_scheme } }
    readinessProbe = { httpGet = { scheme = local.probe_scheme } }
  })]
}

resource "helm_release" "prometheus" {
  name       = var.prometheus_name
  namespace  = var.namespace
  repository = "https://prometheus-community.github.io/helm-charts"
  chart      = "prometheus"
  version    = var.prometheus_chart_version
  values = [yamlencode({
    alertmanager             = { enabled = false }
    kube-state-metrics       = { enabled = false }
    prometheus-node-exporter = { enabled = false }
    prometheus-pushgateway   = { enabled = false }
    # only the repository's scrape jobs
    scrapeConfigs = { for job in ["prometheus", "kubernetes-api-servers", "kubernetes-nodes", "kubernetes-nodes-cadvisor", "kubernetes-service-endpoints", "kubernetes-service-endpoints-slow", "prometheus-pushgateway", "kubernetes-services", "kubernetes-pods", "kubernetes-pods-slow"] : job => { enabled = false } }
    server = {
      fullnameOverride = var.prometheus_name
      global           = local.repo_config.global
      # replicas > 1: a StatefulSet behind a headless Service, each replica scraping, evaluating and alerting
      # on its own (the Alertmanagers deduplicate); the Collectors and Tempo write to each by its pod's
      # name (outputs: prometheus_write_urls), so each holds every series
      replicaCount     = var.prometheus_replicas
      statefulSet      = { enabled = var.prometheus_replicas > 1 }
      probeScheme      = local.probe_scheme
      retention        = var.retention
      retentionSize    = var.retention_size
      persistentVolume = { size = var.storage_size }
      # what collector-config/backends/prometheus.yml says Prometheus is started with
      extraFlags        = ["web.enable-lifecycle", "web.enable-remote-write-receiver", "enable-feature=exemplar-storage"]
      extraArgs         = var.tls ? { "web.config.file" = "/etc/config/web.yml" } : {}
      extraSecretMounts = var.tls ? [{ name = "tls", mountPath = local.tls_dir, secretName = var.tls_secret_name, readOnly = true }] : []
    }
    serverFiles = merge(
      # the chart's default rule files, emptied: rule_files names only the repository's
      { "alerting_rules.yml" = {}, "recording_rules.yml" = {}, alerts = {}, rules = {} },
      { for name, text in var.rule_files : name => yamldecode(text) },
      { "prometheus.yml" = local.prometheus_config },
      var.tls ? { "web.yml" = local.web_config } : {},
    )
  })]
}
