"""The roles a colleague can be given: the groups ``articles.roles`` and
``comments.roles`` keep, by name. Holding one means working on the desk, so
it comes with staff status (the admin login asks for it)."""

from django.utils.translation import pgettext_lazy

from articles.roles import EDITOR_GROUP, REPORTER_GROUP
from comments.roles import MODERATOR_GROUP

ROLE_NAMES = (REPORTER_GROUP, EDITOR_GROUP, MODERATOR_GROUP)
# The group names are data (the same in every language); what the desk shows.
ROLE_LABELS = {
    REPORTER_GROUP: pgettext_lazy("desk role", "Reporter"),
    EDITOR_GROUP: pgettext_lazy("desk role", "Editor"),
    MODERATOR_GROUP: pgettext_lazy("desk role", "Moderator"),
}


def role_choices() -> list[tuple[str, str]]:
    return [(name, ROLE_LABELS[name]) for name in ROLE_NAMES]


def role_label(name: str) -> str:
    """The role's name in the desk's language (a group's own name otherwise)."""
    return str(ROLE_LABELS.get(name, name))


def holds_a_role(user) -> bool:
    return user.groups.filter(name__in=ROLE_NAMES).exists()
