# Grafana with the upstream grafana chart: the data sources of collector-config/backends/grafana-datasources.yaml
# (their links between metrics, traces and logs unchanged, their URLs the cluster's) and every dashboard
# under dashboards/. No anonymous access, no login form: the company's sign-in (generic OAuth / OIDC).
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm" }
    kubernetes = { source = "hashicorp/kubernetes" }
  }
}

locals {
  repo_datasources = yamldecode(var.datasources)
  tls_dir          = "/etc/loupe/tls"
  datasources = merge(local.repo_datasources, {
    datasources = [for ds in local.repo_datasources.datasources : merge(ds,
      { url = var.datasource_urls[ds.uid] },
      # with TLS, trust the company's CA (a for filter, as the two branches differ in shape)
      { for k, v in {
        jsonData       = merge(lookup(ds, "jsonData", {}), { tlsAuthWithCACert = true })
        secureJsonData = { tlsCACert = "$__file{${local.tls_dir}/ca.crt}" }
      } : k => v if var.tls },
    )]
  })
  # dashboards/<folder>/<name>.json → one provider per folder, so Grafana shows the same folders
  dashboard_folders = distinct([for path in keys(var.dashboards) : dirname(path)])
  provider_name     = { for f in local.dashboard_folders : f => f == "." ? "loupe" : replace(f, "/", "-") }
  # reached from outside by root_url's host: an Ingress of the chart, or a LoadBalancer below
  ingress = var.exposure == null ? jsonencode({ enabled = false }) : var.exposure.kind != "Ingress" ? jsonencode({ enabled = false }) : jsonencode({
    enabled          = true
    ingressClassName = var.exposure.ingress_class
    annotations      = var.exposure.annotations
    hosts            = [var.exposure.host]
    path             = "/"
    pathType         = "Prefix"
    tls              = var.exposure.tls_secret_name == null ? [] : [{ secretName = var.exposure.tls_secret_name, hosts = [var.exposure.host] }]
  })
}

resource "kubernetes_secret" "grafana" {
  metadata {
    name      = "${var.name}-sign-in"
    namespace = var.namespace
  }
  data = {
    GF_AUTH_GENERIC_OAUTH_CLIENT_SECRET = var.oauth_client_secret
    admin-user                          = "admin"
    admin-password                      = var.admin_password
  }
}

resource "helm_release" "grafana" {
  name       = var.name
  namespace  = var.namespace
  repository = "https://grafana.github.io/helm-charts"
  chart      = "grafana"
  version    = var.chart_version
  values = [yamlencode({
    fullnameOverride = var.name
    ingress          = jsondecode(local.ingress)
    # the chart's probes (GET /api/health on the grafana port), in the scheme Grafana serves
    readinessProbe    = { httpGet = { scheme = var.tls ? "HTTPS" : "HTTP" } }
    livenessProbe     = { httpGet = { scheme = var.tls ? "HTTPS" : "HTTP" } }
    admin             = { existingSecret = kubernetes_secret.grafana.metadata[0].name }
    envFromSecret     = kubernetes_secret.grafana.metadata[0].name
    extraSecretMounts = var.tls ? [{ name = "tls", mountPath = local.tls_dir, secretName = var.tls_secret_name, readOnly = true }] : []
    "grafana.ini" = {
      server = merge({ root_url = var.root_url }, var.tls ? {
        protocol  = "https"
        cert_file = "${local.tls_dir}/tls.crt"
        cert_key  = "${local.tls_dir}/tls.key"
      } : {})
      "auth.anonymous" = { enabled = false }
      auth             = { disable_login_form = true, oauth_auto_login = true }
      "auth.basic"     = { enabled = false }
      users            = { allow_sign_up = false, auto_assign_org_role = "Viewer" }
      "auth.generic_oauth" = {
        enabled             = true
        name                = var.oauth.name
        client_id           = var.oauth.client_id
        scopes              = "openid profile email groups"
        auth_url            = var.oauth.auth_url
        token_url           = var.oauth.token_url
        api_url             = var.oauth.api_url
        allow_sign_up       = true
        role_attribute_path = var.oauth.role_attribute_path
        # only the groups named may sign in: telemetry is for authorised staff (docs/ and MISSION)
        allowed_groups = join(" ", var.oauth.allowed_groups)
        use_pkce       = true
      }
    }
    datasources = { "datasources.yaml" = local.datasources }
    dashboardProviders = {
      "dashboardproviders.yaml" = {
        apiVersion = 1
        providers = [for f in local.dashboard_folders : {
          name            = local.provider_name[f]
          folder          = f == "." ? "Loupe" : f
          type            = "file"
          disableDeletion = true
          editable        = false
          options         = { path = "/var/lib/grafana/dashboards/${local.provider_name[f]}" }
        }]
      }
    }
    dashboards = {
      for f in local.dashboard_folders : local.provider_name[f] => {
        for path, json in var.dashboards : trimsuffix(basename(path), ".json") => { json = json } if dirname(path) == f
      }
    }
  })]
}

# Grafana's port alone, TLS passing through to Grafana: its certificate must also name root_url's host
resource "kubernetes_service" "exposed" {
  count = var.exposure == null ? 0 : var.exposure.kind == "LoadBalancer" ? 1 : 0
  metadata {
    name        = "${var.name}-exposed"
    namespace   = var.namespace
    annotations = var.exposure.annotations
  }
  spec {
    type = "LoadBalancer"
    # the chart's selector labels
    selector = { "app.kubernetes.io/name" = "grafana", "app.kubernetes.io/instance" = helm_release.grafana.name }
    port {
      name        = "https"
      port        = 443
      target_port = 3000
    }
    load_balancer_source_ranges = var.exposure.source_ranges
  }
}
