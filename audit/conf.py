"""Audit log settings (``AUDIT_*``) and their defaults."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # Entries older than this many days go at the next ``manage.py
        # prune_audit`` (0: keep them all). The only way entries are deleted.
        "AUDIT_RETENTION_DAYS": 365,
    },
)
