"""API settings (``API_*``) and their defaults."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Anonymous readers may use the API; off: every request needs a key (401).
        "API_ANONYMOUS": True,
        # Requests per window for one anonymous client address, and the window
        # (seconds). Partners' keys carry their own limit (ApiKey.rate_limit).
        "API_ANONYMOUS_RATE": 120,
        "API_RATE_WINDOW": 60,
        # The limit a new key starts with.
        "API_KEY_DEFAULT_RATE": 1200,
        # Items per page unless ?limit= says otherwise, and the most it may say.
        "API_PAGE_SIZE": 20,
        "API_MAX_PAGE_SIZE": 100,
        # Seconds browsers and shared caches may keep an answer without asking
        # again (0: they revalidate every time, with the ETag, as pages do).
        "API_MAX_AGE": 0,
        # Most Viewed and Most Commented change with every reader: kept this long.
        "API_RANKING_MAX_AGE": 60,
        # "auto": rate limits in the shared cache when there is one, else in
        # the database; "cache" or "database" to choose.
        "API_RATE_LIMIT_BACKEND": "auto",
    },
)
