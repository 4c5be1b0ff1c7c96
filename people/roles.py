"""The roles a colleague can be given: the groups ``articles.roles`` and
``comments.roles`` keep, by name. Holding one means working on the desk, so
it comes with staff status (the admin login asks for it)."""

from articles.roles import EDITOR_GROUP, REPORTER_GROUP
from comments.roles import MODERATOR_GROUP

ROLE_NAMES = (REPORTER_GROUP, EDITOR_GROUP, MODERATOR_GROUP)


def role_choices() -> list[tuple[str, str]]:
    return [(name, name) for name in ROLE_NAMES]


def holds_a_role(user) -> bool:
    return user.groups.filter(name__in=ROLE_NAMES).exists()
