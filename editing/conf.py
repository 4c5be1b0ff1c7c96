"""Autosave and edit-lock settings (``EDITING_*``) and their defaults."""

from newsroom.appsettings import AppSettings

settings = AppSettings(
    {
        # How often the story form's script renews its lock, in seconds.
        "EDITING_HEARTBEAT_SECONDS": 20,
        # A lock whose last heartbeat is older than this is stale: anyone who
        # may edit the story takes it (a crashed browser, a closed laptop).
        "EDITING_LOCK_STALE_SECONDS": 120,
        # Seconds of quiet typing before the form is autosaved; while typing
        # goes on, it is saved at least every EDITING_AUTOSAVE_MAX_WAIT_SECONDS.
        "EDITING_AUTOSAVE_SECONDS": 3,
        "EDITING_AUTOSAVE_MAX_WAIT_SECONDS": 15,
        # The largest autosave accepted, in bytes of JSON (a 413 above it;
        # stays under DATA_UPLOAD_MAX_MEMORY_SIZE).
        "EDITING_AUTOSAVE_MAX_BYTES": 1_000_000,
    },
)
