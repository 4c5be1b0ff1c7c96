"""Partners' API keys, and the rate-limit windows kept in the database when
no shared cache is configured."""

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from api import conf


def default_rate_limit():
    return conf.settings.API_KEY_DEFAULT_RATE


class ApiKeyQuerySet(models.QuerySet):
    def usable(self):
        """Keys that open the API: active and not past their expiry."""
        now = timezone.now()
        return self.filter(is_active=True).filter(
            models.Q(expires_at__isnull=True) | models.Q(expires_at__gt=now)
        )


class ApiKey(models.Model):
    """A partner's key. Only a hash of its secret is stored (``api.keys``):
    the whole key is shown once, when it is made, and never again."""

    name = models.CharField(
        _("partner"), max_length=100, help_text=_("Who uses this key.")
    )
    contact = models.EmailField(
        _("contact e-mail"),
        blank=True,
        help_text=_("Whom to tell when the key is revoked or the API changes."),
    )
    # The public part of the key (``nrk_<prefix>_<secret>``): how a request's
    # key is found, one indexed look-up, before its secret is compared.
    prefix = models.CharField(_("key prefix"), max_length=16, unique=True)
    secret_hash = models.CharField(max_length=64, editable=False)
    rate_limit = models.PositiveIntegerField(
        _("rate limit"),
        default=default_rate_limit,
        help_text=_("Requests allowed per minute."),
    )
    is_active = models.BooleanField(
        _("active"),
        default=True,
        help_text=_("Untick to revoke the key: its requests are refused at once."),
    )
    expires_at = models.DateTimeField(
        _("expires"),
        null=True,
        blank=True,
        help_text=_("Optional. The key stops working at this time."),
    )
    created_at = models.DateTimeField(_("created"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used"), null=True, editable=False)

    objects = ApiKeyQuerySet.as_manager()

    class Meta:
        ordering = ["name", "pk"]
        verbose_name = _("API key")
        verbose_name_plural = _("API keys")

    def __str__(self):
        return f"{self.name} ({self.prefix})"


class RateLimitWindow(models.Model):
    """One client's count in one window, when no shared cache holds it
    (``api.ratelimit``): moved with ``F()``, exact across processes."""

    key = models.CharField(max_length=200, unique=True)
    count = models.PositiveIntegerField(default=0)
    expires_at = models.DateTimeField(db_index=True)

    class Meta:
        verbose_name = _("rate limit window")
        verbose_name_plural = _("rate limit windows")

    def __str__(self):
        return self.key
