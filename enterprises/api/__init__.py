"""The REST API of the enterprises app (issue 5)."""
