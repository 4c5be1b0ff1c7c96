"""Failed second factors count in django-axes, like failed passwords.

The lockout is per username and address (``AXES_LOCKOUT_PARAMETERS``), so
wrong passwords and wrong codes add up to the same ``AXES_FAILURE_LIMIT``, and
a locked-out account can take neither step. The count is cleared when a
sign-in is complete (``signed_in()``), not at the password step
(``AXES_RESET_ON_SUCCESS`` is off): signing in again with the password does
not wipe the wrong codes. The failure goes straight to axes'
handler rather than through ``user_login_failed``: the audit log records it as
a failed second factor, not as a failed login.
"""

from axes.handlers.proxy import AxesProxyHandler
from django.conf import settings

from twofactor import signals


def _credentials(user) -> dict:
    return {settings.AXES_USERNAME_FORM_FIELD: user.get_username()}


def _enabled() -> bool:
    return getattr(settings, "AXES_ENABLED", True)


def locked_out(request, user) -> bool:
    """Is this account locked out from this address? If so, the request is
    marked for ``AxesMiddleware``, which answers with the lockout page."""
    if not _enabled():
        return False
    credentials = _credentials(user)
    if AxesProxyHandler.is_allowed(request, credentials):
        return False
    request.axes_locked_out = True
    request.axes_credentials = credentials
    return True


def second_factor_failed(request, user, method: str) -> bool:
    """Count a failed second factor and send ``second_factor_failed``;
    returns whether the account is now locked out."""
    if _enabled():
        AxesProxyHandler.user_login_failed(
            sender=__name__, credentials=_credentials(user), request=request
        )
    signals.second_factor_failed.send(
        sender=__name__, user=user, request=request, method=method
    )
    return bool(getattr(request, "axes_locked_out", False))


def signed_in(request, user) -> None:
    """Both steps done (or the only one, when no second factor is due):
    clear this account's failures from this address, as axes' own
    ``AXES_RESET_ON_SUCCESS`` would at the password step."""
    if not _enabled():
        return
    AxesProxyHandler.update_request(request)
    handler = AxesProxyHandler.get_implementation()
    handler.reset_user_attempts(request, _credentials(user))
