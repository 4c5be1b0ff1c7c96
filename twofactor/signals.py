"""What the two-factor login sends; the audit log listens, nothing here does.

- ``second_factor_failed``: a wrong code, recovery code or passkey at the
  second step; ``user``, ``request``, ``method`` ("totp", "recovery",
  "passkey").
- ``second_factor_added``: a way to sign in was confirmed; ``user``,
  ``method``, ``name``, ``by`` (who did it), ``request``.
- ``second_factor_removed``: ways to sign in were removed; ``user``,
  ``methods`` (list), ``by``, ``request``, ``reset`` (a superuser reset a
  colleague's second factor).
"""

from django.dispatch import Signal

second_factor_failed = Signal()
second_factor_added = Signal()
second_factor_removed = Signal()
