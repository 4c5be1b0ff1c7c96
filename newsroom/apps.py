from django.contrib.admin.apps import AdminConfig


class DeskAdminConfig(AdminConfig):
    """Django's admin, with the newsroom's desk as the default site
    (``newsroom.admin.DeskSite``): every ``admin.register`` lands there."""

    default_site = "newsroom.admin.DeskSite"
