"""Newsletter settings (``NEWSLETTER_*``) and their defaults
(``docs/newsletters.md``)."""

from django.conf import settings as django_settings

from newsroom.appsettings import AppSettings


def _from_address() -> str:
    return django_settings.DEFAULT_FROM_EMAIL


def _site_url() -> str:
    return getattr(django_settings, "SITE_URL", "") or "http://localhost:8000"


settings = AppSettings(
    {
        # The site's address, for links in e-mails (a task has no request):
        # SITE_URL unless set apart.
        "NEWSLETTER_BASE_URL": _site_url,
        # Who the newsletters come from, and where a reader's mail client may
        # send its unsubscribe request (List-Unsubscribe's mailto:).
        "NEWSLETTER_FROM_EMAIL": _from_address,
        "NEWSLETTER_UNSUBSCRIBE_MAILTO": _from_address,
        # The mailer (settings.MAILERS alias) newsletters go through.
        "NEWSLETTER_MAILER": "default",
        # A confirmation link works this long (seconds; 3 days).
        "NEWSLETTER_CONFIRM_MAX_AGE": 3 * 24 * 3600,
        # The daily digest goes out by itself at this local time (HH:MM,
        # TIME_ZONE), through ``run_periodic``; "" switches it off. Topic
        # subscribers get their day's stories at the same time.
        "NEWSLETTER_DAILY_DIGEST_AT": "07:00",
        # Stories in the automatic digest: the last day's, top stories first.
        "NEWSLETTER_DIGEST_STORIES": 10,
        # Throttle: messages a worker sends per minute (0: no pause), and
        # recipients per batch (one task each).
        "NEWSLETTER_MESSAGES_PER_MINUTE": 600,
        "NEWSLETTER_BATCH_SIZE": 100,
        # A claimed batch whose worker died is sent again after this (seconds).
        "NEWSLETTER_CLAIM_LEASE": 15 * 60,
        # Sign-ups: per address of the reader (a network) and per e-mail
        # address, within the window (seconds). Over the first: a 429; over
        # the second: the same answer as always, and no e-mail.
        "NEWSLETTER_SIGNUPS_PER_CLIENT": 10,
        "NEWSLETTER_CONFIRMATIONS_PER_ADDRESS": 3,
        "NEWSLETTER_SIGNUP_WINDOW": 3600,
        # "auto": the cache when it is shared (Redis), the database otherwise.
        "NEWSLETTER_RATE_LIMIT_BACKEND": "auto",
        # A 1x1 image counting opens per issue and day (never who opened).
        "NEWSLETTER_TRACKING_PIXEL": False,
    }
)
