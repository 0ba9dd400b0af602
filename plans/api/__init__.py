"""The REST API of the plans app (issue 5)."""
