import pytest
from django.test import Client

from audit.models import AuditEntry
from tests.articles.workflow_helpers import make_role_user

# Behind one trusted proxy: the address it saw is the last X-Forwarded-For entry.
PROXIED = {"REMOTE_ADDR": "10.0.0.2", "HTTP_X_FORWARDED_FOR": "6.6.6.6, 203.0.113.7"}
CLIENT_ADDRESS = "203.0.113.7"


@pytest.fixture(autouse=True)
def _behind_one_proxy(settings):
    settings.TRUSTED_PROXY_COUNT = 1


@pytest.fixture
def editor(db):
    return make_role_user("Editor")


@pytest.fixture
def editor_client(editor):
    client = Client(**PROXIED)
    client.force_login(editor)
    return client


def entries(action, **filters):
    return list(AuditEntry.objects.filter(action=action, **filters).order_by("pk"))
