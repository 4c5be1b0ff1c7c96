"""Writing entries: who (the acting user), from where (the trusted client
address), and the object, named so the name survives its deletion."""

from django.contrib.contenttypes.models import ContentType

from audit import context
from audit.models import AuditEntry
from newsroom.clientip import client_ip

REPR_LENGTH = AuditEntry._meta.get_field("object_repr").max_length


def _acting_user(request):
    user = getattr(request, "user", None) if request is not None else None
    return user if user is not None and user.is_authenticated else None


def entry(
    action: str,
    obj=None,
    *,
    by=None,
    request=None,
    model=None,
    object_id=None,
    object_repr: str | None = None,
    details: dict | None = None,
) -> AuditEntry:
    """An unsaved entry for ``action`` on ``obj`` (or ``model`` and
    ``object_id``, for an object that is gone).

    Who: ``by`` when the caller knows, else the request's user. The request:
    ``request``, else the one being answered (``audit.context``).
    """
    if request is None:
        request = context.current_request()
    actor = by if by is not None and by.is_authenticated else _acting_user(request)
    if obj is not None:
        model = obj._meta.model
        object_id = obj.pk
        if object_repr is None:
            object_repr = str(obj)
    return AuditEntry(
        action=action,
        actor=actor,
        actor_name=actor.get_username() if actor is not None else "",
        content_type=ContentType.objects.get_for_model(model) if model else None,
        object_id="" if object_id is None else str(object_id),
        object_repr=(object_repr or "")[:REPR_LENGTH],
        address=client_ip(request) if request is not None else None,
        via=AuditEntry.Via.WEB if request is not None else context.outside_request(),
        details=details or {},
    )


def record(action: str, obj=None, **kwargs) -> AuditEntry:
    """Write one entry now (one INSERT)."""
    new = entry(action, obj, **kwargs)
    new.save()
    return new


def record_many(entries: list[AuditEntry]) -> None:
    """Write entries in one INSERT: a bulk action's stories."""
    AuditEntry.objects.bulk_create(entries)
