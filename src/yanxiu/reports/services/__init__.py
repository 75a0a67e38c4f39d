"""Every write of the reports app: one module per area (summary, notices, evaluation, exports)."""
