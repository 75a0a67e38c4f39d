"""Database helpers that do not belong to one app."""

from __future__ import annotations

from django.db import connections


def refresh_planner_statistics(using: str = "default") -> None:
    """Let PostgreSQL's planner see the rows a bulk load has just written in the open transaction.

    Its statistics are those of the last ANALYZE: of tables that were empty then, it assumes
    no rows, so a query over thousands of rows written since (the demo county, built in one
    transaction) gets nested loops over whole tables and runs for hours instead of milliseconds.
    ANALYZE inside the transaction counts the transaction's own rows. SQLite plans without
    such statistics by default, so there is nothing to do there.
    """
    connection = connections[using]
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
