"""Named prepared statements only where they work: not through a transaction-mode pooler.

The study round trip's statements are prepared by psycopg after a few runs (settings.py). A
pooler such as PgBouncer older than 1.21 in transaction mode hands each transaction to any
server connection, where a statement prepared on another one does not exist. A pooler in
between is detected when a connection opens: the server's own port is not the port we dialled.
Then this connection prepares nothing (parameters are still sent separately, in one protocol
exchange, which any pooler passes through). DB_PREPARED_STATEMENTS=1 keeps them on (PgBouncer
1.21+ with max_prepared_statements); DB_PREPARED_STATEMENTS=0 turns them off everywhere.
"""

from __future__ import annotations

import logging
import os

log = logging.getLogger("genai_prep")


def pooler_in_between(connection) -> bool:
    """Whether the PostgreSQL server behind `connection` listens on another port than we dialled."""
    dialled = connection.connection.info.port
    with connection.connection.cursor() as cursor:
        cursor.execute("SELECT current_setting('port')::int")
        (server_port,) = cursor.fetchone()
    return server_port != dialled


def choose_statement_mode(sender, connection, **kwargs) -> None:
    """On each new PostgreSQL connection, turn named prepared statements off behind a pooler."""
    if connection.vendor != "postgresql" or "DB_PREPARED_STATEMENTS" in os.environ:
        return
    if connection.connection.prepare_threshold is None:
        return
    if pooler_in_between(connection):
        connection.connection.prepare_threshold = None
        log.info("a connection pooler is in between: statements are not prepared")
