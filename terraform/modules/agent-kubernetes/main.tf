# The agent on Kubernetes: the OpenTelemetry Operator (upstream opentelemetry-operator chart) and one
# Instrumentation per service. A pod annotated
#   instrumentation.opentelemetry.io/inject-java: "<namespace>/<service>"
# gets the agent and Loupe's extension copied in by an init container and JAVA_TOOL_OPTIONS set, with the
# service's settings of agent-extension/config/ as environment variables: no change to its image.
terraform {
  required_version = ">= 1.6"
  required_providers {
    helm       = { source = "hashicorp/helm" }
    kubernetes = { source = "hashicorp/kubernetes" }
  }
}

locals {
  # otel.service.name → OTEL_SERVICE_NAME, loupe.order-id.methods → LOUPE_ORDER_ID_METHODS: the agent's
  # rule for reading a setting from the environment
  env = {
    for service, settings in var.agent_settings : service => merge(
      { for k, v in settings : upper(replace(replace(k, ".", "_"), "-", "_")) => v },
      {
        OTEL_RESOURCE_ATTRIBUTES = join(",", compact([lookup(settings, "otel.resource.attributes", ""), "deployment.environment.name=${var.environment}"]))
      },
    )
  }
  instrumentations = [for service, env in local.env : {
    name = service
    env  = [for k in sort(keys(env)) : { name = k, value = env[k] }]
  }]
}

resource "kubernetes_secret" "agent_token" {
  metadata {
    name      = "loupe-agent-token"
    namespace = var.namespace
  }
  data = { headers = "Authorization=Bearer ${var.agent_token}" }
}

resource "kubernetes_config_map" "ca" {
  metadata {
    name      = "loupe-ca"
    namespace = var.namespace
  }
  data = { "ca.crt" = var.ca_certificate }
}

resource "helm_release" "operator" {
  name             = "opentelemetry-operator"
  namespace        = var.operator_namespace
  create_namespace = true
  repository       = "https://open-telemetry.github.io/opentelemetry-helm-charts"
  chart            = "opentelemetry-operator"
  version          = var.operator_chart_version
  wait             = true
  values = [yamlencode({
    # the webhook's certificate made by the chart, so cert-manager is not a prerequisite
    admissionWebhooks = { certManager = { enabled = false }, autoGenerateCert = { enabled = true } }
    manager = {
      collectorImage = { repository = var.collector_image.repository, tag = var.collector_image.tag }
    }
  })]
}

# the Instrumentation resources need the operator's CRD, so they are a release of their own after it
resource "helm_release" "instrumentation" {
  depends_on = [helm_release.operator]
  name       = "loupe-instrumentation"
  namespace  = var.namespace
  chart      = "${path.module}/instrumentation"
  values = [yamlencode({
    endpoint         = var.otlp_endpoint
    agentImage       = var.agent_image
    extensionImage   = var.extension_image
    tokenSecret      = kubernetes_secret.agent_token.metadata[0].name
    caConfigMap      = kubernetes_config_map.ca.metadata[0].name
    instrumentations = local.instrumentations
  })]
}
