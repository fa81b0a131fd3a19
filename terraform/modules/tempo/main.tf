# Tempo in its scalable (microservices) mode with the upstream tempo-distributed chart, on object storage.
# collector-config/backends/tempo.yaml gives the retention, the ingester's block duration, the metrics
# generator and its overrides; the single-binary parts of it (local disk, listen port) are the chart's here.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm = { source = "hashicorp/helm" }
  }
}

locals {
  # each span is written to this many ingesters, and a write needs a majority of them: the chart's 3 with
  # three ingesters or more; with fewer, 1 (a factor of 2 would need both for every write, no gain, and 3
  # over one ingester refuses every write)
  replication_factor = var.replicas.ingester >= 3 ? 3 : 1
  repo               = yamldecode(var.tempo_config)
  tls_dir            = "/etc/loupe/tls"
  tls_server = var.tls ? {
    http_tls_config = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key" }
    grpc_tls_config = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key" }
  } : {}
  # the components' own gRPC to each other goes to the port grpc_tls_config makes TLS-only: each client
  # speaks TLS, trusts the CA and, dialling a pod's IP from the ring or a headless Service, checks the
  # certificate for a Service's name (tls_certificate holds *.<namespace>.svc). The three clients of the
  # Tempo TLS documentation (configuration/network/tls.md, v2.9.0)
  grpc_client = { for client, service in { ingester = "ingester", generator = "metrics-generator", worker = "query-frontend" } : client => {
    grpc_client_config = { tls_enabled = true, tls_ca_path = "${local.tls_dir}/ca.crt", tls_server_name = "${var.name}-${service}.${var.namespace}.svc" }
  } }
  # (a for filter: a conditional's two objects must have the same attributes)
  tls_clients = { for k, v in {
    ingester_client          = local.grpc_client.ingester
    metrics_generator_client = local.grpc_client.generator
    querier                  = { frontend_worker = local.grpc_client.worker }
  } : k => v if var.tls }
  structured = merge(local.tls_clients, {
    compactor = local.repo.compactor
    ingester  = local.repo.ingester
    metrics_generator = merge(local.repo.metrics_generator, {
      storage = merge(local.repo.metrics_generator.storage, {
        # each of backends/tempo.yaml's remote writes to every Prometheus replica
        remote_write = flatten([for w in local.repo.metrics_generator.storage.remote_write : [for url in var.prometheus_write_urls : merge(w, { url = url },
          var.tls ? { tls_config = { ca_file = "${local.tls_dir}/ca.crt", server_name = var.prometheus_server_name } } : {})
        ]])
      })
    })
    server = local.tls_server
  })
}

resource "helm_release" "tempo" {
  name       = var.name
  namespace  = var.namespace
  repository = "https://grafana.github.io/helm-charts"
  chart      = "tempo-distributed"
  version    = var.chart_version
  values = [yamlencode({
    fullnameOverride = var.name
    tempo = {
      structuredConfig = local.structured
      # every component's probes (GET /ready on http-metrics), in the scheme the server serves
      readinessProbe = { httpGet = { scheme = var.tls ? "HTTPS" : "HTTP" } }
      livenessProbe  = { httpGet = { scheme = var.tls ? "HTTPS" : "HTTP" } }
    }
    overrides = { defaults = local.repo.overrides.defaults }
    storage = {
      trace = {
        backend = "s3"
        s3      = { bucket = var.bucket, endpoint = var.object_storage_endpoint, region = var.object_storage_region }
      }
    }
    # the object store's keys come from a Secret as AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY
    global = {
      extraEnvFrom      = [{ secretRef = { name = var.object_storage_secret_name } }]
      extraVolumes      = var.tls ? [{ name = "tls", secret = { secretName = var.tls_secret_name } }] : []
      extraVolumeMounts = var.tls ? [{ name = "tls", mountPath = local.tls_dir, readOnly = true }] : []
    }
    # the Collectors send over TLS with the CA (overrides/production.yaml's otlp_grpc/tempo)
    traces = { otlp = { grpc = merge({ enabled = true }, { for k, v in {
      receiverConfig = { tls = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key", min_version = "1.2" } }
    } : k => v if var.tls }) } }
    metricsGenerator = { enabled = true }
    ingester = {
      replicas = var.replicas.ingester
      config   = { replication_factor = local.replication_factor }
    }
    distributor   = { replicas = var.replicas.distributor }
    querier       = { replicas = var.replicas.querier }
    queryFrontend = { replicas = var.replicas.query_frontend }
    compactor     = { replicas = 1 }
  })]
}
