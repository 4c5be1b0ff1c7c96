"""Webhook and WebSub settings (``WEBHOOKS_*``, ``WEBSUB_*``) and their
defaults; the environment overrides them in ``newsroom/settings.py``."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Private, loopback, link-local and other non-public addresses are
        # refused as webhook (and hub) targets. True allows them all (local
        # development); a list of networks ("127.0.0.2/32") allows those only,
        # which is what the tests use.
        "WEBHOOKS_ALLOW_PRIVATE_NETWORKS": False,
        # Seconds to connect, and for the whole answer once connected.
        "WEBHOOKS_CONNECT_TIMEOUT": 3.0,
        "WEBHOOKS_TIMEOUT": 10.0,
        # Bytes of an answer read at most (the rest is not read), and kept in
        # the delivery log.
        "WEBHOOKS_MAX_RESPONSE_BYTES": 64 * 1024,
        "WEBHOOKS_RESPONSE_EXCERPT": 500,
        # Tries of one delivery; the wait before the second (doubled each
        # time after: 1, 2, 4, 8... minutes), capped.
        "WEBHOOKS_ATTEMPTS": 6,
        "WEBHOOKS_FIRST_RETRY_SECONDS": 60,
        "WEBHOOKS_MAX_RETRY_SECONDS": 6 * 3600,
        # A subscription whose deliveries failed this many times in a row
        # (attempts, retries included) is switched off; 0: never.
        "WEBHOOKS_DISABLE_AFTER_FAILURES": 15,
        # Seconds a worker holds a claimed delivery before another may take
        # it again (it died mid-send): longer than any one attempt.
        "WEBHOOKS_CLAIM_SECONDS": 120,
        # Due deliveries one periodic sweep sends at most.
        "WEBHOOKS_SWEEP_BATCH": 50,
        # A WebSub hub (https://hub.example/): feeds declare it and publishing
        # pings it. Empty: off.
        "WEBSUB_HUB_URL": "",
    }
)
