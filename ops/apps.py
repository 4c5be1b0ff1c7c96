from django.apps import AppConfig


class OpsConfig(AppConfig):
    """Project-wide commands: backups, restores, the local admin account."""

    name = "ops"
    verbose_name = "Operations"
