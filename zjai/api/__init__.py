"""What every endpoint of the REST API shares (issue 5).

The resources themselves live in each app's `api/` package (one serializer, one viewset per
model, as STYLE.md describes); this package holds the frame they run in: authentication and
its usage log, permissions by role, strict filtering and pagination, strict bodies, ETag/If-Match
handling, one transaction per write with its Idempotency-Key (writes.py, idempotency.py),
throttles, the one JSON error shape, and the OpenAPI schema that documents all of it.
"""
