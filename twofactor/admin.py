"""django-otp and django-otp-webauthn register their devices with the admin;
the desk leaves them out. Each staff member manages their own devices on the
two-factor page, and a superuser resets a colleague's there (audited): the
raw device admins would show authenticator keys and change devices
unaudited."""

from django.contrib import admin
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from twofactor.devices import Passkey

for model in (TOTPDevice, StaticDevice, Passkey):
    if admin.site.is_registered(model):
        admin.site.unregister(model)
