"""Fill an empty newsroom with demo sections, authors and stories.

Idempotent: rows are matched on their slugs and anything already present is
left exactly as it is, so a second run changes nothing.
"""

import io
import random
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.utils import timezone
from django.utils.html import escape
from PIL import Image, ImageDraw

from articles import services
from articles.models import Article, Author, Byline, Section
from demo import content as demo_content

IMAGE_SIZE = (1200, 675)


def draw_lead_image(seed: str, colour: str) -> bytes:
    """A gradient in the section's colour with a few shapes; JPEG bytes."""
    rng = random.Random(seed)
    base = Image.new("RGB", (1, 1), colour).getpixel((0, 0))
    dark = tuple(c // 3 for c in base)
    image = Image.new("RGB", (2, 1))
    image.putpixel((0, 0), base)
    image.putpixel((1, 0), dark)
    image = image.resize(IMAGE_SIZE, Image.Resampling.BILINEAR)
    overlay = Image.new("RGBA", IMAGE_SIZE, (0, 0, 0, 0))
    draw = ImageDraw.Draw(overlay)
    width, height = IMAGE_SIZE
    for _ in range(6):
        x, y = rng.randrange(width), rng.randrange(height)
        r = rng.randrange(60, 260)
        tint = (*(min(255, c + rng.randrange(40, 120)) for c in base), 70)
        draw.ellipse((x - r, y - r, x + r, y + r), fill=tint)
    for _ in range(3):
        y = rng.randrange(height)
        draw.rectangle(
            (0, y, width, y + rng.randrange(4, 18)), fill=(255, 255, 255, 40)
        )
    image = Image.alpha_composite(image.convert("RGBA"), overlay).convert("RGB")
    buffer = io.BytesIO()
    image.save(buffer, "JPEG", quality=82, optimize=True)
    return buffer.getvalue()


class Command(BaseCommand):
    help = "Create demo sections, authors and about 40 stories (idempotent)."

    def add_arguments(self, parser):
        parser.add_argument(
            "--no-renditions",
            action="store_true",
            help="Skip the picture renditions (make them later: make_renditions).",
        )

    def handle(self, *args, **options):
        self.renditions = not options["no_renditions"]
        sections = self.load_sections()
        authors = self.load_authors()
        existing = set(Article.objects.values_list("slug", flat=True))
        now = timezone.now()
        created = 0
        for story in demo_content.STORIES:
            if story["slug"] in existing:
                continue
            self.create_story(story, sections, authors, now)
            created += 1
        self.stdout.write(
            f"Demo content: {len(sections)} sections, {len(authors)} authors, "
            f"{created} new stories."
        )

    def load_sections(self):
        sections = {}
        for order, (name, slug, description, _colour) in enumerate(
            demo_content.SECTIONS, start=1
        ):
            sections[slug], _ = Section.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "order": order},
            )
        return sections

    def load_authors(self):
        authors = {}
        for name, slug, job_title, bio in demo_content.AUTHORS:
            authors[slug], _ = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "job_title": job_title, "bio": bio}
            )
        return authors

    def create_story(self, story, sections, authors, now):
        """One story through ``save_story()``, as an editor's would be: its
        bylines and tags before the revision, the renditions on commit."""
        section = sections[story["section"]]
        colours = {slug: colour for _, slug, _, colour in demo_content.SECTIONS}
        status = story["status"]
        if status == "draft":
            published_at = None
        elif status == "scheduled":
            published_at = now + timedelta(hours=20)
        else:
            published_at = now - timedelta(hours=story["hours_ago"])
        article = Article(
            slug=story["slug"],
            headline=story["headline"],
            dek=story["dek"],
            body="".join(f"<p>{escape(p)}</p>" for p in story["paragraphs"]),
            section=section,
            status=Article.Status.DRAFT
            if status == "draft"
            else Article.Status.PUBLISHED,
            published_at=published_at,
            is_top_story=story["is_top_story"],
            lead_image_alt=f"Abstract {section.name} graphic: soft circles over "
            "a colour gradient.",
            lead_image_caption=f"{section.name}: {story['dek']}",
            lead_image_credit="Newsroom graphics",
        )
        # The file first, then the row that points at it.
        article.lead_image.save(
            f"{story['slug']}.jpg",
            ContentFile(draw_lead_image(story["slug"], colours[section.slug])),
            save=False,
        )
        article.lead_image_width, article.lead_image_height = IMAGE_SIZE

        def add_bylines_and_tags():
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[slug], role=role, order=order)
                for order, (slug, role) in enumerate(story["bylines"])
            )
            article.tags.add(*story["tags"])

        services.save_story(
            article, related=add_bylines_and_tags, renditions=self.renditions
        )
