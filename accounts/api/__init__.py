"""The REST API of the accounts app (issue 5)."""
