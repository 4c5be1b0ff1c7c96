from django.apps import AppConfig


class PeopleConfig(AppConfig):
    """Colleagues on the desk: invitations with a role, and role groups that
    bring staff status with them (``people.admin``)."""

    name = "people"
    verbose_name = "People"
