# The agent on today's VMs: a systemd drop-in per service that hands the unchanged JVM the OpenTelemetry
# Java agent and Loupe's extension through JAVA_TOOL_OPTIONS, which every JVM reads before its own flags.
# Nothing is deployed from here: the drop-ins are outputs, written to each VM by its configuration tool
# (terraform/README.md, "The agent on the VMs"). No provider is needed, so this renders anywhere.
terraform {
  required_version = ">= 1.6"
}

locals {
  drop_ins = {
    for service, settings in var.agent_settings : service => templatefile("${path.module}/loupe-agent.conf.tftpl", {
      service       = service
      agent_jar     = var.agent_jar
      extension_jar = var.extension_jar
      settings_file = "${var.settings_dir}/${service}.properties"
      # the agent lets the environment win over its configuration file, so the environment's name is
      # added to the file's resource attributes here rather than replacing them
      resource_attributes = join(",", compact([lookup(settings, "otel.resource.attributes", ""), "deployment.environment.name=${var.environment}"]))
      otlp_endpoint       = var.otlp_endpoint
      ca_file             = var.ca_file
      headers_file        = var.otlp_headers_file
    })
  }
}
