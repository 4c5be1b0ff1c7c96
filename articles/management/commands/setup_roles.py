from django.core.management.base import BaseCommand

from articles.roles import ensure_roles


class Command(BaseCommand):
    help = (
        "Create the Reporter and Editor groups, or reset them to exactly their "
        "permissions. Safe to run any number of times."
    )

    def handle(self, *args, **options):
        for name, count in ensure_roles().items():
            self.stdout.write(f"{name}: {count} permissions")
