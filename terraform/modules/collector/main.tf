# Loupe's gateway Collector (loupe-otelcol) with the upstream opentelemetry-collector chart, one release per
# tier. The chart's own config is switched off: the repository's files go into a ConfigMap unchanged and
# the Collector merges them itself, in the order given (--config gateway.yaml --config production.yaml
# --config scale-out-routing.yaml), exactly as collector-config's tests run them.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm" }
    kubernetes = { source = "hashicorp/kubernetes" }
  }
}

locals {
  config_dir = "/etc/loupe/otelcol"
  # the names production.yaml's defaults point at (LOUPE_TLS_*_FILE, LOUPE_CA_FILE, LOUPE_AGENT_TOKEN_FILE)
  tls_dir    = "/etc/otelcol/tls"
  secret_dir = "/etc/otelcol/secrets"
  queue_dir  = "/var/lib/otelcol/queues"
  # what the outside reaches: the agents' OTLP/HTTP (gateway.yaml's otlp) and the browsers' (otlp/frontend)
  ports       = { otlp = 4318, frontend = 4319 }
  public_tier = one([for k, t in var.tiers : k if t.public])
  # the chart's ingress takes the first and the rest as additionalIngresses, each <tier>-<endpoint>
  ingresses = [for e, x in var.exposure : {
    name             = e
    ingressClassName = x.ingress_class
    annotations      = x.annotations
    hosts            = [{ host = x.host, paths = [{ path = "/", pathType = "Prefix", port = local.ports[e] }] }]
    tls              = x.tls_secret_name == null ? [] : [{ secretName = x.tls_secret_name, hosts = [x.host] }]
  } if x.kind == "Ingress"]
  ingress = length(local.ingresses) == 0 ? jsonencode({ enabled = false }) : jsonencode(merge(local.ingresses[0], {
    enabled             = true
    additionalIngresses = slice(local.ingresses, 1, length(local.ingresses))
  }))
}

resource "kubernetes_config_map" "config" {
  for_each = var.tiers
  metadata {
    name      = "${each.key}-config"
    namespace = var.namespace
  }
  data = { for f in each.value.config_files : f => var.config_files[f] }
}

resource "kubernetes_secret" "agent_token" {
  metadata {
    name      = "loupe-agent-token"
    namespace = var.namespace
  }
  data = { "agent-token" = var.agent_token }
}

resource "helm_release" "tier" {
  for_each   = var.tiers
  name       = each.key
  namespace  = var.namespace
  repository = "https://open-telemetry.github.io/opentelemetry-helm-charts"
  chart      = "opentelemetry-collector"
  version    = var.chart_version
  values = [yamlencode({
    mode             = "deployment"
    fullnameOverride = each.key
    replicaCount     = each.value.replicas
    image            = { repository = var.image.repository, tag = var.image.tag }
    command = {
      name      = "loupe-otelcol"
      extraArgs = [for f in each.value.config_files : "--config=${local.config_dir}/${f}"]
    }
    # the repository's files, not the chart's default config
    configMap = { create = false }
    # GOMEMLIMIT at about 60 % of the container's memory, the limiter's limit minus its spike (collector-config/
    # README.md: the limiter bounds the heap, not RSS); the chart's own would be 80 %
    useGOMEMLIMIT = false
    resources     = each.value.resources
    extraEnvs     = [for k, v in merge(var.environment, each.value.environment, { GOMEMLIMIT = each.value.gomemlimit }) : { name = k, value = v }]
    extraVolumes = [
      { name = "config", configMap = { name = kubernetes_config_map.config[each.key].metadata[0].name } },
      { name = "tls", secret = { secretName = var.tls_secret_name } },
      { name = "agent-token", secret = { secretName = kubernetes_secret.agent_token.metadata[0].name } },
      # the exporters' file_storage queues: they outlive a crashed container (not a deleted pod)
      { name = "queues", emptyDir = { sizeLimit = each.value.queue_size } },
    ]
    extraVolumeMounts = [
      { name = "config", mountPath = local.config_dir, readOnly = true },
      { name = "tls", mountPath = local.tls_dir, readOnly = true },
      { name = "agent-token", mountPath = local.secret_dir, readOnly = true },
      { name = "queues", mountPath = local.queue_dir },
    ]
    ports = {
      otlp           = { enabled = true }
      otlp-http      = { enabled = true }
      jaeger-compact = { enabled = false }
      jaeger-thrift  = { enabled = false }
      jaeger-grpc    = { enabled = false }
      zipkin         = { enabled = false }
      metrics        = { enabled = true }
      # the browsers' receiver, on the tier they reach
      otlp-frontend = { enabled = each.value.public, containerPort = local.ports.frontend, servicePort = local.ports.frontend, protocol = "TCP" }
    }
    ingress = jsondecode(each.value.public ? local.ingress : jsonencode({ enabled = false }))
    # a headless Service gives the routing tier's DNS resolver one address per sampler
    service = each.value.headless ? { type = "ClusterIP", clusterIP = "None" } : { type = "ClusterIP" }
  })]
}

# a LoadBalancer per endpoint so exposed: that port only (never the Collector's metrics or gRPC), TLS passing
# through to the Collector, so its certificate must also name the host the outside uses
resource "kubernetes_service" "exposed" {
  for_each = { for e, x in var.exposure : e => x if x.kind == "LoadBalancer" }
  metadata {
    name        = "${local.public_tier}-${each.key}"
    namespace   = var.namespace
    annotations = each.value.annotations
  }
  spec {
    type = "LoadBalancer"
    # the chart's selector labels of the tier's pods
    selector = { "app.kubernetes.io/name" = "opentelemetry-collector", "app.kubernetes.io/instance" = helm_release.tier[local.public_tier].name }
    port {
      name        = each.key
      port        = local.ports[each.key]
      target_port = local.ports[each.key]
    }
    load_balancer_source_ranges = each.value.source_ranges
  }
}
