"""Make missing lead-image renditions and record missing image sizes.

For stories saved before renditions existed, or written outside the admin
(imports, fixtures). Safe to run again: existing renditions are kept, and a
second run makes nothing. Images that cannot be read are reported, not fatal.
"""

from django.core.management.base import BaseCommand

from articles import images
from articles.models import Article


class Command(BaseCommand):
    help = "Make missing renditions of lead images (idempotent)."

    def handle(self, *args, **options):
        made = failed = 0
        stories = Article.objects.exclude(lead_image="").only(
            "lead_image", "lead_image_width", "lead_image_height"
        )
        for article in stories.iterator():
            try:
                if article.lead_image_width is None:
                    article.lead_image_width = article.lead_image.width
                    article.lead_image_height = article.lead_image.height
                    Article.objects.filter(pk=article.pk).update(
                        lead_image_width=article.lead_image_width,
                        lead_image_height=article.lead_image_height,
                    )
                made += len(images.make_renditions(article.lead_image))
            except (OSError, ValueError) as error:
                failed += 1
                self.stderr.write(f"{article.lead_image.name}: {error}")
        self.stdout.write(f"{made} renditions made, {failed} images unreadable.")
