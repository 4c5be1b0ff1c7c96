"""Give a local development site an "admin" superuser (``make run``).

The password is random, made once and kept in ``DATA_DIR/local-admin.txt``
(git-ignored); every run prints where to log in and with what. Refuses to run
with DEBUG off: production accounts are made by people, not by this command.
"""

import secrets

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError

USERNAME = "admin"


class Command(BaseCommand):
    help = "Create the local 'admin' superuser once and print its login details."

    def add_arguments(self, parser):
        parser.add_argument("--url", default="http://127.0.0.1:8000/admin/")

    def handle(self, *args, url, **options):
        if not settings.DEBUG:
            raise CommandError("ensure_local_admin only runs with DEBUG on.")
        path = settings.DATA_DIR / "local-admin.txt"
        password = path.read_text().strip() if path.exists() else ""
        User = get_user_model()
        user = User.objects.filter(username=USERNAME).first()
        if user is None or not password:
            password = password or secrets.token_urlsafe(18)
            if user is None:
                user = User.objects.create_superuser(USERNAME, "", password)
            else:
                user.set_password(password)
                user.save(update_fields=["password"])
            path.parent.mkdir(parents=True, exist_ok=True)
            path.touch(mode=0o600)
            path.write_text(password + "\n")
        elif not user.check_password(password):
            self.stderr.write(
                f"The password in {path} no longer matches the '{USERNAME}' "
                "account; delete the file and run again to reset it."
            )
        self.stdout.write(f"Admin: {url}\nUser name: {USERNAME}\nPassword: {password}")
