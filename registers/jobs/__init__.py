"""The background import jobs' writes (services.py): a job queued, started, advanced, finished.
Their own package so that the register writes of registers/services.py stay one module of
domain writes; these are bookkeeping (docs/audit.md: not audited; the entries an import
creates are, each by the register's service)."""
