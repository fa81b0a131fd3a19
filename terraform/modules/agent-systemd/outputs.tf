output "drop_ins" {
  description = "service => the text of its systemd drop-in (loupe-agent.conf)."
  value       = local.drop_ins
}
