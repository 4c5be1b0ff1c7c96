"""The whole suite through a real PgBouncer in transaction pooling.

    make test-pgbouncer                      # everything
    make test-pgbouncer PYTEST_ARGS=tests/articles

Starts a PgBouncer of its own in front of the machine's PostgreSQL, sets up
the pooled role as docs/deploy.md says, and runs pytest with
``DATABASE_POOLER=pgbouncer`` and the machine's Redis (db 1), the way CI's
PostgreSQL run does. The test database is made and dropped through the pool.
"""

import os
import subprocess
import sys

from tests.replicas.servers import pgbouncer, pool_role


def main(args: list[str]) -> int:
    role = pool_role()
    with pgbouncer(users=(role,)) as bouncer:
        env = {
            **os.environ,
            "DATABASE_URL": f"postgres://{role}@127.0.0.1:{bouncer.port}/newsroom",
            "DATABASE_POOLER": "pgbouncer",
            # backup_db and restore_db go around the pool (docs/deploy.md).
            "DATABASE_DIRECT_URL": f"postgres://{role}@127.0.0.1:5432/newsroom",
            "REDIS_URL": os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/1"),
        }
        sys.stdout.write(f"PgBouncer (transaction pooling) on port {bouncer.port}\n")
        sys.stdout.flush()
        pytest = [sys.executable, "-m", "pytest", *args]
        code = subprocess.run(pytest, env=env).returncode
        if "unsupported startup parameter" in bouncer.log.read_text():
            sys.stderr.write("PgBouncer refused a startup parameter: see its log\n")
            code = code or 1
    return 1 if code == 5 else code


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
