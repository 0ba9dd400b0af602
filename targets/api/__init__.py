"""The REST API of the targets app (issue 5)."""
