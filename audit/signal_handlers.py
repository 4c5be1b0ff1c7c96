"""What the audit log listens to. Connected in ``AuditConfig.ready()``; the
apps that send these know nothing of the audit log."""

from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group

from audit import log
from audit.models import AuditEntry
from comments.models import Comment

Action = AuditEntry.Action

STORY_EVENTS = {
    "published": Action.PUBLISHED,
    "unpublished": Action.UNPUBLISHED,
    "scheduled": Action.SCHEDULED,
}
# The account flags whose change is a change of rights.
ACCOUNT_FLAGS = ("is_active", "is_staff", "is_superuser")


def _story_details(story, event: str) -> dict:
    if event == "scheduled" and story.published_at is not None:
        return {"published_at": story.published_at.isoformat()}
    return {}


# Stories ------------------------------------------------------------------------


def _story_event(event):
    def handler(sender, story, by=None, bulk=False, **kwargs):
        if bulk:  # recorded with the whole batch: stories_changed_in_bulk
            return
        log.record(
            STORY_EVENTS[event], story, by=by, details=_story_details(story, event)
        )

    handler.__name__ = f"story_{event}"
    return handler


story_published = _story_event("published")
story_unpublished = _story_event("unpublished")
story_scheduled = _story_event("scheduled")


def stories_changed_in_bulk(sender, changes, by=None, **kwargs):
    """A bulk action's stories in one INSERT, however many there are."""
    log.record_many(
        [
            log.entry(
                STORY_EVENTS[event],
                story,
                by=by,
                details={"bulk": True, **_story_details(story, event)},
            )
            for story, event in changes
        ]
    )


def story_deleted(sender, story, story_id, **kwargs):
    log.record(
        Action.DELETED,
        model=story._meta.model,
        object_id=story_id,
        object_repr=str(story),
    )


def story_restored(sender, story, revision, new_revision=None, by=None, **kwargs):
    log.record(
        Action.RESTORED,
        story,
        by=by,
        details={
            "revision": revision.pk,
            "revision_created_at": revision.created_at.isoformat(),
            "new_revision": getattr(new_revision, "pk", None),
        },
    )


def pending_changes_published(
    sender, story, by=None, revision=None, scheduled=False, **kwargs
):
    log.record(
        Action.PENDING_PUBLISHED,
        story,
        by=by,
        details={"revision": getattr(revision, "pk", None), "scheduled": scheduled},
    )


# Comments -----------------------------------------------------------------------


def comment_moderated(sender, comment_ids, status, by=None, **kwargs):
    comments = Comment.objects.filter(pk__in=comment_ids).only("pk", "name", "body")
    log.record_many(
        [
            log.entry(
                Action.COMMENT_MODERATED, comment, by=by, details={"status": status}
            )
            for comment in comments
        ]
    )


# Accounts -----------------------------------------------------------------------


def logged_in(sender, request, user, **kwargs):
    log.record(Action.LOGGED_IN, user, by=user, request=request)


def logged_out(sender, request, user, **kwargs):
    if user is not None:
        log.record(Action.LOGGED_OUT, user, by=user, request=request)


UNKNOWN_ACCOUNT = "(no such account)"


def login_failed(sender, credentials, request=None, **kwargs):
    """The attempted username, if it names an account: what was typed for a
    name that names none is often a password in the wrong box, so it is not
    kept. Django has already masked the password; nothing else is kept."""
    User = get_user_model()
    typed = str(credentials.get(User.USERNAME_FIELD, ""))[:150]
    account = User._default_manager.filter(**{User.USERNAME_FIELD: typed}).first()
    username = typed if account is not None else UNKNOWN_ACCOUNT
    log.record(
        Action.LOGIN_FAILED,
        request=request,
        model=User,
        object_id=account.pk if account is not None else None,
        object_repr=username,
        details={"username": username},
    )


def second_factor_failed(sender, user, request=None, method="", **kwargs):
    """A wrong code, recovery code or passkey after the right password."""
    log.record(
        Action.SECOND_FACTOR_FAILED,
        user,
        by=user,
        request=request,
        details={"method": method},
    )


def second_factor_added(sender, user, method, name="", by=None, request=None, **kw):
    log.record(
        Action.SECOND_FACTOR_ADDED,
        user,
        by=by,
        request=request,
        details={"method": method, "name": name},
    )


def second_factor_removed(
    sender, user, methods, names=(), by=None, request=None, reset=False, **kwargs
):
    """Removed by the user, or reset by a superuser (``reset``)."""
    log.record(
        Action.SECOND_FACTOR_REMOVED,
        user,
        by=by,
        request=request,
        details={"methods": list(methods), "names": list(names), "reset": reset},
    )


def remember_account_flags(sender, instance, update_fields=None, **kwargs):
    """``pre_save`` of a user: the flags as stored, when this save may change
    them (a login's ``last_login`` save may not, and costs nothing)."""
    if instance.pk is None or instance._state.adding:
        return
    if update_fields is not None and not set(update_fields) & set(ACCOUNT_FLAGS):
        return
    instance._audit_flags = (
        sender._base_manager.filter(pk=instance.pk).values(*ACCOUNT_FLAGS).first()
    )


def account_saved(sender, instance, created, **kwargs):
    before = getattr(instance, "_audit_flags", None)
    instance._audit_flags = None
    now = {flag: getattr(instance, flag) for flag in ACCOUNT_FLAGS}
    if created:
        changed = {
            flag: [None, value]
            for flag, value in now.items()
            if flag != "is_active" and value
        }
    elif before is None:
        return
    else:
        changed = {
            flag: [before[flag], now[flag]]
            for flag in ACCOUNT_FLAGS
            if before[flag] != now[flag]
        }
    if changed:
        log.record(
            Action.ACCOUNT_CHANGED, instance, details={"created": created, **changed}
        )


def _names(model, pks) -> list[str]:
    return sorted(str(obj) for obj in model._base_manager.filter(pk__in=pks))


def membership_changed(sender, instance, action, reverse, model, pk_set, **kwargs):
    """``m2m_changed`` of a user's groups and permissions and a group's
    permissions, from either side: one entry per change, naming what was
    added or removed."""
    if action == "pre_clear":
        # What a clear removes, read before it is gone.
        field = _field_for(sender, instance)
        instance._audit_cleared = list(
            getattr(instance, field).values_list("pk", flat=True)
        )
        return
    if action not in {"post_add", "post_remove", "post_clear"}:
        return
    if action == "post_clear":
        pk_set = getattr(instance, "_audit_cleared", None) or set()
    if not pk_set:
        return
    User = get_user_model()
    kind = (
        Action.GROUPS_CHANGED
        if sender is User.groups.through
        else Action.PERMISSIONS_CHANGED
    )
    key = "added" if action == "post_add" else "removed"
    log.record(kind, instance, details={key: _names(model, pk_set)})


def _field_for(sender, instance) -> str:
    """The accessor on ``instance`` for the relation ``sender`` holds."""
    User = get_user_model()
    if sender is User.groups.through:
        return "groups" if isinstance(instance, User) else "user_set"
    if sender is User.user_permissions.through:
        return "user_permissions" if isinstance(instance, User) else "user_set"
    return "permissions" if isinstance(instance, Group) else "group_set"


def relations():
    """The m2m relations that carry rights."""
    User = get_user_model()
    return (
        User.groups.through,
        User.user_permissions.through,
        Group.permissions.through,
    )


# Corrections and clarifications -----------------------------------------------


def _correction_details(correction) -> dict:
    return {
        "story": correction.story_id,
        "kind": correction.kind,
        "text": correction.text,
    }


def correction_added(sender, correction, by=None, **kwargs):
    log.record(
        Action.CORRECTION_ADDED,
        correction,
        by=by,
        details=_correction_details(correction),
    )


def correction_changed(sender, correction, by=None, deleted=False, **kwargs):
    log.record(
        Action.CORRECTION_DELETED if deleted else Action.CORRECTION_CHANGED,
        correction,
        by=by,
        details=_correction_details(correction),
    )


# The newsroom's runtime settings ------------------------------------------------


def settings_saved(sender, instance, created, **kwargs):
    log.record(
        Action.SETTINGS_CHANGED,
        instance,
        details={"change": "added" if created else "changed", **_values(instance)},
    )


def settings_deleted(sender, instance, **kwargs):
    log.record(
        Action.SETTINGS_CHANGED,
        instance,
        details={"change": "deleted", **_values(instance)},
    )


def _values(instance, hidden=frozenset()) -> dict:
    """The row's own fields (not its id, nor those ``hidden``), as stored."""
    return {
        field.attname: field.value_to_string(instance)
        for field in instance._meta.concrete_fields
        if not field.primary_key and field.attname not in hidden
    }


# Partners' access: API keys and webhook subscriptions --------------------------

# Never in the log: whoever reads it could act as the partner, or sign as us.
# That a secret was issued is recorded, not the secret.
SECRET_FIELDS = frozenset({"secret", "secret_hash"})
# What the key and the deliveries note as they are used: not a change of access.
BOOKKEEPING_FIELDS = frozenset({"last_used_at", "consecutive_failures"})
ACCESS_MODELS = (("api", "ApiKey"), ("webhooks", "Subscription"))


def access_saved(sender, instance, created, update_fields=None, **kwargs):
    """A key or subscription made, changed, revoked, switched off or on, or
    given a new secret: an entry with its fields as stored, secrets left out."""
    changed = set(update_fields or ())
    if changed and changed <= BOOKKEEPING_FIELDS:
        return
    details = {
        "change": "added" if created else "changed",
        **_values(instance, hidden=SECRET_FIELDS | BOOKKEEPING_FIELDS),
    }
    if created or changed & SECRET_FIELDS:
        details["secret"] = "new"
    log.record(Action.ACCESS_CHANGED, instance, details=details)


def access_deleted(sender, instance, **kwargs):
    log.record(
        Action.ACCESS_CHANGED,
        instance,
        details={
            "change": "deleted",
            **_values(instance, hidden=SECRET_FIELDS | BOOKKEEPING_FIELDS),
        },
    )
