"""Comment settings (``COMMENTS_*``) and their defaults."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Comments close this many days after a story goes live (0: never).
        "COMMENTS_CLOSE_AFTER_DAYS": 30,
        # "post": published unless a check holds it; "pre": every comment is held.
        "COMMENTS_MODERATION": "post",
        # At most this many comments per poster per window (seconds).
        "COMMENTS_RATE_LIMIT": 5,
        "COMMENTS_RATE_LIMIT_WINDOW": 600,
        # "auto": the cache when it is shared (Redis), the database otherwise.
        "COMMENTS_RATE_LIMIT_BACKEND": "auto",
        # Reports from this many readers hold a published comment for review.
        "COMMENTS_REPORTS_THRESHOLD": 3,
        # A form posted sooner than this after it was shown is held; older than
        # the maximum, the reader is asked to post again.
        "COMMENTS_MIN_SECONDS": 3,
        "COMMENTS_MAX_FORM_AGE": 24 * 60 * 60,
        # Seconds the "Most Commented" list is kept.
        "COMMENTS_MOST_COMMENTED_TTL": 300,
    },
)
