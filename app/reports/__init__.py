"""Scheduled KPI reports and alerts: definitions as YAML in reports/, rendered from the
published warehouse, delivered by e-mail and chat robots, logged in the state store."""
