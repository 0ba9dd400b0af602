"""The REST API of the projects app (issue 5)."""
