# The systemd drop-ins as modules/agent-systemd renders them from agent-extension/config/, with the paths
# of a test machine: SystemdDropInIT runs the real services with exactly their environment.
terraform {
  required_version = ">= 1.6"
}

variable "agent_jar" {
  description = "The OpenTelemetry Java agent jar of the build."
  type        = string
}

variable "extension_jar" {
  description = "Loupe's extension jar of the build."
  type        = string
}

variable "settings_dir" {
  description = "Where the test writes the services' settings files."
  type        = string
}

variable "otlp_endpoint" {
  description = "The test's OTLP/HTTP receiver."
  type        = string
}

module "repository" {
  source = "../../../../modules/repository"
}

module "agent_systemd" {
  source         = "../../../../modules/agent-systemd"
  agent_settings = module.repository.agent_settings
  environment    = "drop-in-test"
  agent_jar      = var.agent_jar
  extension_jar  = var.extension_jar
  settings_dir   = var.settings_dir
  otlp_endpoint  = var.otlp_endpoint
}

output "drop_ins" {
  description = "service => its drop-in."
  value       = module.agent_systemd.drop_ins
}

output "settings_files" {
  description = "service => its settings file's text."
  value       = module.repository.agent_settings_files
}
