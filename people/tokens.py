"""The one-time link an invited colleague sets their password with.

Django's password-reset token under its own salt: a reset link never works as
an invitation or the other way round. It stops working once used (it hashes
the password and last login) or after ``PASSWORD_RESET_TIMEOUT``.
"""

from django.contrib.auth.tokens import PasswordResetTokenGenerator


class InvitationTokenGenerator(PasswordResetTokenGenerator):
    key_salt = "people.tokens.InvitationTokenGenerator"


invitation_token = InvitationTokenGenerator()
