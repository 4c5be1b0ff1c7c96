"""Django's PostgreSQL backend with a client-side deadline on every wait.

``statement_timeout`` is enforced by the server, and TCP keepalives and
``tcp_user_timeout`` by the kernel: none of them fires when the server (or a
proxy in front of it) holds the connection open, acknowledges every byte and
answers nothing, as a frozen server does. libpq has no read timeout, but
psycopg waits for the socket itself, with an optional timeout: here every wait
on an open connection gets ``OPTIONS["client_timeout"]`` seconds, after which
the connection is closed (its state is unknown) and an ``OperationalError``
raised, which the site answers with a 503 (``newsroom.middleware``).
"""

import psycopg
from django.db.backends.postgresql import base


class DeadlineConnection(psycopg.Connection):
    client_timeout: float | None = None

    def wait(self, gen, interval=0.1, timeout=None):
        if timeout is None:
            timeout = self.client_timeout
        try:
            return super().wait(gen, interval=interval, timeout=timeout)
        except psycopg.errors._WaitTimeout:
            self.pgconn.finish()
            raise psycopg.OperationalError(
                f"the database sent no answer within {timeout:g} s"
            ) from None


class _Psycopg:
    """The psycopg module, connecting with ``DeadlineConnection``."""

    connect = DeadlineConnection.connect

    def __getattr__(self, name):
        return getattr(psycopg, name)


class DatabaseWrapper(base.DatabaseWrapper):
    Database = _Psycopg()

    def get_connection_params(self):
        params = super().get_connection_params()
        self.client_timeout = params.pop("client_timeout", None)
        return params

    def get_new_connection(self, conn_params):
        connection = super().get_new_connection(conn_params)
        connection.client_timeout = self.client_timeout
        return connection
