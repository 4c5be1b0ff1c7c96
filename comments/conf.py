"""Comment settings (``COMMENTS_*``) and their defaults."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Comments close this many days after a story goes live (0: never).
        "COMMENTS_CLOSE_AFTER_DAYS": 30,
        # "post": published unless a check holds it; "pre": every comment is held.
        "COMMENTS_MODERATION": "post",
        # At most this many comments per poster per window (seconds). A poster
        # is a reader at an address: their browser (the signed form token)
        # where it is known, else the display name they give.
        "COMMENTS_RATE_LIMIT": 5,
        "COMMENTS_RATE_LIMIT_WINDOW": 600,
        # Readers behind one address (an office, a school, a mobile carrier's
        # NAT) are counted apart, but the address as a whole has this ceiling,
        # so fresh tokens or names buy a script no more than this.
        "COMMENTS_RATE_LIMIT_PER_ADDRESS": 20,
        # "auto": the cache when it is shared (Redis), the database otherwise.
        "COMMENTS_RATE_LIMIT_BACKEND": "auto",
        # Reports from this many readers hold a published comment for review.
        "COMMENTS_REPORTS_THRESHOLD": 3,
        # A form posted sooner than this after it was shown is held; older than
        # the maximum, the reader is asked to post again.
        "COMMENTS_MIN_SECONDS": 3,
        "COMMENTS_MAX_FORM_AGE": 24 * 60 * 60,
        # E-mail the moderators when this many comments wait for review (once
        # each time the queue reaches it; 0: never). comments/alerts.py.
        "COMMENTS_QUEUE_ALERT_THRESHOLD": 0,
        # Seconds the "Most Commented" list is kept.
        "COMMENTS_MOST_COMMENTED_TTL": 300,
    },
)
