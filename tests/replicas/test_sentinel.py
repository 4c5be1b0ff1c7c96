"""Redis Sentinel: a failover the cache and the view buffer follow (issue 19 §5).

A master, its replica and one Sentinel of the test's own (Debian's
``redis-sentinel``), on free ports. The master is killed; the Sentinel
promotes the replica; the page cache's client (django-redis through
``SentinelConnectionFactory``, as settings.py configures it from
``REDIS_SENTINELS``) and the view buffer's (``newsroom.redisclient``) write
and read the new master without being told its address.
"""

import shutil
import subprocess
import time
from contextlib import contextmanager

import pytest
import redis

from newsroom import redisclient
from newsroom.rediscache import BreakerRedisCache
from tests.faults.servers import free_port

SERVICE = "newsroom"


def _redis(port: int, folder, *extra: str) -> subprocess.Popen:
    process = subprocess.Popen(
        [
            shutil.which("redis-server") or "/usr/bin/redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no",
            # A replica's first sync writes a snapshot: in the test's folder.
            "--dir",
            str(folder),
            *extra,
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    _wait(lambda: redis.Redis(port=port).ping(), f"Redis on {port}")
    return process


def _wait(probe, what: str, seconds: float = 30):
    deadline = time.monotonic() + seconds
    while True:
        try:
            result = probe()
            if result:
                return result
        except (redis.RedisError, OSError):
            pass
        if time.monotonic() > deadline:
            raise RuntimeError(f"{what}: not ready after {seconds} s")
        time.sleep(0.1)


@contextmanager
def sentinel_setup(tmp_path):
    master_port, replica_port, sentinel_port = free_port(), free_port(), free_port()
    processes = []
    try:
        processes.append(_redis(master_port, tmp_path))
        processes.append(
            _redis(replica_port, tmp_path, "--replicaof", "127.0.0.1", str(master_port))
        )
        _wait(
            lambda: (
                redis.Redis(port=replica_port).info("replication")["master_link_status"]
                == "up"
            ),
            "replication",
        )
        conf = tmp_path / "sentinel.conf"
        conf.write_text(
            f"port {sentinel_port}\n"
            "bind 127.0.0.1\n"
            f"dir {tmp_path}\n"
            f"sentinel monitor {SERVICE} 127.0.0.1 {master_port} 1\n"
            f"sentinel down-after-milliseconds {SERVICE} 800\n"
            f"sentinel failover-timeout {SERVICE} 4000\n"
            f"sentinel parallel-syncs {SERVICE} 1\n"
        )
        sentinel = subprocess.Popen(
            [shutil.which("redis-sentinel") or "/usr/bin/redis-sentinel", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        processes.append(sentinel)
        _wait(
            lambda: redis.Redis(port=sentinel_port).sentinel_get_master_addr_by_name(
                SERVICE
            ),
            "the Sentinel",
        )
        yield processes[0], master_port, replica_port, sentinel_port
    finally:
        for process in processes:
            process.kill()
            process.wait()


def current_master(sentinel_port: int) -> int:
    return int(
        redis.Redis(port=sentinel_port).sentinel_get_master_addr_by_name(SERVICE)[1]
    )


@pytest.mark.slow
def test_the_cache_and_the_view_buffer_follow_a_failover(tmp_path, settings):
    with sentinel_setup(tmp_path) as (master, master_port, replica_port, port):
        settings.REDIS_SENTINELS = [("127.0.0.1", port)]
        url = f"redis://{SERVICE}/0"
        cache = BreakerRedisCache(
            url,
            {
                "OPTIONS": {
                    "IGNORE_EXCEPTIONS": True,
                    "SOCKET_CONNECT_TIMEOUT": 0.2,
                    "SOCKET_TIMEOUT": 0.25,
                    "CONNECTION_FACTORY": "django_redis.pool.SentinelConnectionFactory",
                    "SENTINELS": settings.REDIS_SENTINELS,
                    "BREAKER_RESET_AFTER": 0.5,
                }
            },
        )
        buffer = redisclient.client_from_url(
            url, socket_timeout=0.5, socket_connect_timeout=0.5
        )
        assert cache.set("before", "kept", 60) is True
        buffer.hincrby("views", "1:2026-12-02", 3)
        old_master = redis.Redis(port=master_port)
        assert old_master.get(cache.make_key("before"))
        # Replication is asynchronous: what was written before the kill is
        # on the replica once WAIT says so.
        assert old_master.wait(1, 5000) == 1

        master.kill()
        master.wait()
        _wait(lambda: current_master(port) == replica_port, "the failover", 30)

        # Both clients find the new master through the Sentinel.
        _wait(lambda: cache.set("after", "written", 60), "the cache", 15)
        assert cache.get("after") == "written"
        assert cache.get("before") == "kept"  # replicated before the kill
        _wait(lambda: buffer.hincrby("views", "1:2026-12-02", 2) == 5, "buffer", 15)
        promoted = redis.Redis(port=replica_port)
        assert promoted.get(cache.make_key("after"))
        assert promoted.hget("views", "1:2026-12-02") == b"5"


def test_sentinel_addresses_are_parsed_strictly():
    assert redisclient.sentinel_addresses("a:26379, [::1]:26380,") == [
        ("a", 26379),
        ("::1", 26380),
    ]
    with pytest.raises(ValueError):
        redisclient.sentinel_addresses("no-port")


def test_without_sentinels_a_url_names_a_server(settings):
    settings.REDIS_SENTINELS = []
    client = redisclient.client_from_url("redis://127.0.0.1:6379/3")
    assert client.connection_pool.connection_kwargs["port"] == 6379
