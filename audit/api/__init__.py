"""The REST API of the audit app (issue 5)."""
