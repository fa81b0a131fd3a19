# Loki with the upstream loki chart: SimpleScalable (read, write and backend targets) or SingleBinary, on
# object storage either way. collector-config/backends/loki.yaml is Loki's config as Loupe wants it
# (labels, structured metadata, retention); the chart merges it as structuredConfig, and only storage
# (object store instead of local disk) and the replication factor are set here.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm = { source = "hashicorp/helm" }
  }
}

locals {
  repo     = yamldecode(var.loki_config)
  tls_dir  = "/etc/loupe/tls"
  scalable = var.deployment_mode == "SimpleScalable"
  # Loki's targets reach each other's gRPC port, which grpc_tls_config makes TLS-only: each client speaks
  # TLS, trusts the CA and, dialling pod IPs from the ring or a headless Service, checks the certificate for
  # a Service's name (tls_certificate holds *.<namespace>.svc): the write target's ingesters, the backend's
  # query scheduler, index gateway, compactor and rulers, the read target's query frontend. The keys are
  # Loki 3.6.3's (the chart's appVersion): pkg/loki/loki.go and the clients' grpcclient.Config
  grpc_client = { for target in ["write", "backend", "read"] : target => {
    tls_enabled = true, tls_ca_path = "${local.tls_dir}/ca.crt", tls_server_name = "${var.name}-${target}.${var.namespace}.svc"
  } }
  tls_clients = { for k, v in {
    ingester_client       = { grpc_client_config = local.grpc_client.write }
    frontend_worker       = { grpc_client_config = local.grpc_client.backend }
    frontend              = { grpc_client_config = local.grpc_client.backend }
    query_scheduler       = { grpc_client_config = local.grpc_client.read }
    storage_config        = { tsdb_shipper = { index_gateway_client = { grpc_client_config = local.grpc_client.backend } } }
    compactor_grpc_client = local.grpc_client.backend
    ruler                 = { ruler_client = local.grpc_client.backend }
  } : k => v if var.tls }
  structured = merge(
    { for k, v in local.repo : k => v if !contains(["common", "schema_config", "server"], k) },
    local.tls_clients,
    {
      schema_config = { configs = [for c in local.repo.schema_config.configs : merge(c, { object_store = "s3" })] }
      compactor     = merge(local.repo.compactor, { delete_request_store = "s3" })
    },
    var.tls ? { server = {
      http_tls_config = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key" }
      grpc_tls_config = { cert_file = "${local.tls_dir}/tls.crt", key_file = "${local.tls_dir}/tls.key" }
    } } : {},
  )
}

resource "helm_release" "loki" {
  name       = var.name
  namespace  = var.namespace
  repository = "https://grafana.github.io/helm-charts"
  chart      = "loki"
  version    = var.chart_version
  values = [yamlencode({
    fullnameOverride = var.name
    deploymentMode   = var.deployment_mode
    loki = {
      auth_enabled     = local.repo.auth_enabled
      commonConfig     = { replication_factor = local.scalable ? 3 : 1 }
      structuredConfig = local.structured
      # every target's readiness probe (GET /ready on http-metrics), in the scheme the server serves; the
      # chart has no liveness probe to set
      readinessProbe = { httpGet = { scheme = var.tls ? "HTTPS" : "HTTP" } }
      storage = {
        type        = "s3"
        bucketNames = { chunks = var.bucket, ruler = var.bucket, admin = var.bucket }
        s3          = { endpoint = var.object_storage_endpoint, region = var.object_storage_region, s3ForcePathStyle = true }
      }
    }
    global = {
      extraEnvFrom      = [{ secretRef = { name = var.object_storage_secret_name } }]
      extraVolumes      = var.tls ? [{ name = "tls", secret = { secretName = var.tls_secret_name } }] : []
      extraVolumeMounts = var.tls ? [{ name = "tls", mountPath = local.tls_dir, readOnly = true }] : []
    }
    singleBinary = { replicas = local.scalable ? 0 : 1 }
    write        = { replicas = local.scalable ? var.replicas : 0 }
    read         = { replicas = local.scalable ? var.replicas : 0 }
    backend      = { replicas = local.scalable ? var.replicas : 0 }
    # the Collectors and Grafana reach the write and read targets directly, over TLS in production
    gateway    = { enabled = false }
    minio      = { enabled = false }
    lokiCanary = { enabled = false }
    test       = { enabled = false }
  })]
}
