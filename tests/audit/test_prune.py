from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from audit import log
from audit.models import AuditEntry

pytestmark = pytest.mark.django_db
Action = AuditEntry.Action


def entry_days_ago(days, name):
    entry = log.entry(Action.LOGIN_FAILED, object_repr=name)
    entry.when = timezone.now() - timedelta(days=days)
    entry.save()
    return entry


def names():
    return set(AuditEntry.objects.values_list("object_repr", flat=True))


def test_prune_deletes_only_entries_older_than_the_retention_and_says_so(settings):
    settings.AUDIT_RETENTION_DAYS = 30
    entry_days_ago(31, "old")
    entry_days_ago(45, "older")
    entry_days_ago(29, "recent")
    call_command("prune_audit", stdout=None)
    assert names() == {"recent", "pruned 2 entries"}
    pruned = AuditEntry.objects.get(action=Action.PRUNED)
    assert pruned.details["deleted"] == 2
    assert pruned.details["retention_days"] == 30
    assert pruned.via == AuditEntry.Via.COMMAND and pruned.actor is None


def test_the_default_retention_is_a_year():
    entry_days_ago(364, "kept")
    entry_days_ago(366, "gone")
    call_command("prune_audit")
    assert names() == {"kept", "pruned 1 entry"}


def test_a_retention_of_zero_keeps_everything(settings):
    settings.AUDIT_RETENTION_DAYS = 0
    entry_days_ago(5000, "ancient")
    call_command("prune_audit")
    assert names() == {"ancient"}
