from django.contrib import admin
from django.urls import path
from django.views.i18n import JavaScriptCatalog

from twofactor import passkeys, views

app_name = "twofactor"
desk = admin.site.admin_view

urlpatterns = [
    # Before the second factor: a password-only staff session.
    path("verify/", views.verify, name="verify"),
    path("sign-out/", views.sign_out, name="sign_out"),
    path("enrol/", views.enrol, name="enrol"),
    path("enrol/app/", views.enrol_app, name="enrol_app"),
    path("passkey/begin/", passkeys.VerifyBegin.as_view(), name="passkey_begin"),
    path(
        "passkey/complete/", passkeys.VerifyComplete.as_view(), name="passkey_complete"
    ),
    path(
        "passkey/register/begin/",
        passkeys.RegisterBegin.as_view(),
        name="passkey_register_begin",
    ),
    path(
        "passkey/register/complete/",
        passkeys.RegisterComplete.as_view(),
        name="passkey_register_complete",
    ),
    # The passkey scripts' messages (their gettext()).
    path(
        "jsi18n/",
        JavaScriptCatalog.as_view(packages=["django_otp_webauthn"]),
        name="jsi18n",
    ),
    # Desk pages: verified (or not asked for a second factor).
    path("", desk(views.my_devices), name="devices"),
    path("recovery-codes/", desk(views.recovery_codes), name="recovery_codes"),
    path(
        "recovery-codes/download/",
        desk(views.recovery_codes_download),
        name="recovery_codes_download",
    ),
    path(
        "recovery-codes/done/",
        desk(views.recovery_codes_done),
        name="recovery_codes_done",
    ),
    path(
        "passkeys/<int:passkey_id>/remove/",
        desk(views.remove_passkey),
        name="remove_passkey",
    ),
    path("app/reset/", desk(views.reset_app), name="reset_app"),
    path("app/remove/", desk(views.remove_app), name="remove_app"),
    path("colleagues/", desk(views.colleagues), name="colleagues"),
    path(
        "colleagues/<int:user_id>/reset/",
        desk(views.reset_colleague),
        name="reset_colleague",
    ),
]
