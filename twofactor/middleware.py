from functools import partial

from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.utils.functional import SimpleLazyObject

from twofactor import policy


class SecondFactorMiddleware:
    """Outside the desk, a session that still owes its second factor is
    anonymous.

    The desk (the admin's addresses) refuses such a session itself
    (``DeskSite.has_permission``) and sends it to the second step; the pages
    elsewhere that trust a staff login (the story previews) would not know to.
    After django-otp's ``OTPMiddleware``; as lazy as ``request.user`` is, so a
    reader's request pays nothing.
    """

    def __init__(self, get_response):
        self.get_response = get_response
        self.admin_prefix = "/" + settings.ADMIN_URL_PREFIX.strip("/") + "/"

    def __call__(self, request):
        if not request.path.startswith(self.admin_prefix):
            request.user = SimpleLazyObject(partial(_outside_desk, request.user))
        return self.get_response(request)


def _outside_desk(user):
    return AnonymousUser() if policy.is_due(user) else user
