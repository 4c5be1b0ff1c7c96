"""Fill an empty newsroom with a demo that shows every part of the site.

Sections, authors with portraits, about forty stories with drawn lead
pictures, reader comments (some held for review), one story covered live
with its updates and key points, and a month of view history.

Idempotent: rows are matched on their natural keys (slugs; a comment's
fingerprint; a story's view rows) and anything already present is left as it
is, so a second run changes nothing. What an older demo left behind is brought
up to date: a story with the old abstract picture gets its drawn scene, an
author without a photo gets a portrait, a story whose demo comments differ
from ``demo.content`` gets them replaced.
"""

import dataclasses
import hashlib
import os
import random
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta

from django.core.files.base import ContentFile
from django.core.management.base import BaseCommand
from django.db import transaction
from django.utils import timezone
from django.utils.html import escape

from articles import images, services
from articles.models import Article, Author, Byline, Section
from comments.models import Comment, comments_moderated
from demo import content as demo_content
from demo import content_ko, pictures
from live import services as live_services
from live.models import LiveCoverage, LiveUpdate
from viewcounts.models import ArticleDailyViews, ArticleViewTotal

CREDIT = "Illustration: Newsroom demo"
# Credits of earlier demo pictures, which a run replaces with a drawn scene.
OLD_CREDITS = {"Newsroom graphics"}

# View history: the story that was big weeks ago, the one rising this week;
# the newest top story is today's breaking story.
OLD_HIT = "analysis-what-the-arms-trade-means-for-the-peninsula"
RISING = "seoul-subway-extends-late-night-service-on-weekends"
RISING_DAYS = (900, 1500, 2400, 3300, 3700)


def reader_hash(name: str) -> str:
    """The demo's stand-in for a poster's IP hash: stable per display name,
    and never equal to a real one (those are keyed hashes of addresses)."""
    return hashlib.sha256(f"newsroom-demo-reader\n{name}".encode()).hexdigest()


def scene_for(story: dict) -> str:
    return demo_content.SCENES.get(
        story["slug"], demo_content.SECTION_SCENES[story["section"]]
    )


class Command(BaseCommand):
    help = (
        "Create demo sections, authors, about 40 stories, comments and view "
        "history (idempotent)."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--language",
            choices=["en", "ko"],
            default="en",
            help="en: the English newsroom, with the Korean original of its "
            "lead story; ko: a Korean-first newsroom, Korean sections, authors "
            "and stories (demo.content_ko) beside the English ones.",
        )
        parser.add_argument(
            "--no-renditions",
            action="store_true",
            help="Skip the picture renditions (make them later: make_renditions).",
        )

    def handle(self, *args, **options):
        self.renditions = not options["no_renditions"]
        self.pending_renditions = []
        self.korean = options.get("language") == "ko"
        sections = self.load_sections()
        authors = self.load_authors()
        created, redrawn = self.load_stories(sections, authors)
        created += self.load_korean_stories(sections, authors)
        threads = self.load_comments()
        live_updates = self.load_live_coverage(authors)
        viewed = self.load_views()
        if self.renditions:
            self.make_renditions()
        self.stdout.write(
            f"Demo content: {len(sections)} sections, {len(authors)} authors, "
            f"{created} new stories, {redrawn} pictures redrawn, comments on "
            f"{threads} stories, {live_updates} new live updates, view history "
            f"for {viewed} stories."
        )

    def load_sections(self):
        sections = {}
        for order, (name, slug, description, _colour) in enumerate(
            demo_content.SECTIONS, start=1
        ):
            if self.korean:
                name, description = content_ko.SECTIONS[slug]
            sections[slug], _ = Section.objects.get_or_create(
                slug=slug,
                defaults={"name": name, "description": description, "order": order},
            )
        return sections

    def load_authors(self):
        authors = {}
        for name, slug, job_title, bio in demo_content.AUTHORS:
            if self.korean:
                name, job_title, bio = content_ko.AUTHORS[slug]
            author, _ = Author.objects.get_or_create(
                slug=slug, defaults={"name": name, "job_title": job_title, "bio": bio}
            )
            if not author.photo:
                author.photo.save(
                    f"{slug}.jpg",
                    ContentFile(pictures.draw_portrait(author.name, slug)),
                    save=False,
                )
                author.save(update_fields=["photo"])
                self.pending_renditions.append(author.photo)
            authors[slug] = author
        return authors

    def load_stories(self, sections, authors):
        """New stories, and drawn pictures for those with an old demo one."""
        stored = {
            article.slug: article
            for article in Article.objects.filter(
                slug__in=[story["slug"] for story in demo_content.STORIES]
            )
        }
        wanted = [
            story
            for story in demo_content.STORIES
            if story["slug"] not in stored
            or stored[story["slug"]].lead_image_credit in OLD_CREDITS
        ]
        # Drawing is most of the work, and Pillow lets threads run in parallel.
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            drawings = pool.map(
                lambda story: pictures.draw_scene(scene_for(story), story["slug"]),
                wanted,
            )
            now = timezone.now()
            created = redrawn = 0
            for story, drawing in zip(wanted, drawings, strict=True):
                if story["slug"] in stored:
                    self.redraw(stored[story["slug"]], drawing)
                    redrawn += 1
                else:
                    self.create_story(story, drawing, sections, authors, now)
                    created += 1
        return created, redrawn

    def set_picture(self, article, slug, drawing):
        # The file first, then the row that points at it.
        article.lead_image.save(f"{slug}.jpg", ContentFile(drawing.jpeg), save=False)
        article.lead_image_width, article.lead_image_height = pictures.SIZE
        article.lead_image_alt = drawing.alt
        article.lead_image_caption = drawing.caption
        article.lead_image_credit = CREDIT

    def redraw(self, article, drawing):
        self.set_picture(article, article.slug, drawing)
        services.save_story(article, summary="Demo picture redrawn.", renditions=False)
        self.pending_renditions.append(article.lead_image)

    def create_story(self, story, drawing, sections, authors, now):
        """One story through ``save_story()``, as an editor's would be: its
        bylines and tags before the revision, the renditions after."""
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
            section=sections[story["section"]],
            language=story.get("language", "en"),
            status=Article.Status.DRAFT
            if status == "draft"
            else Article.Status.PUBLISHED,
            published_at=published_at,
            # The front page leads with the demo's own language: the Korean
            # newsroom with its originals, the English one with its stories.
            is_top_story=story["is_top_story"]
            and story.get("language", "en") == ("ko" if self.korean else "en"),
        )
        self.set_picture(article, story["slug"], drawing)
        if article.language == "ko":
            article.lead_image_credit = content_ko.CREDIT

        def add_bylines_and_tags():
            Byline.objects.bulk_create(
                Byline(article=article, author=authors[slug], role=role, order=order)
                for order, (slug, role) in enumerate(story["bylines"])
            )
            article.tags.add(*story["tags"])

        # Renditions are made together at the end, in parallel.
        services.save_story(article, related=add_bylines_and_tags, renditions=False)
        self.pending_renditions.append(article.lead_image)
        return article

    def load_korean_stories(self, sections, authors) -> int:
        """The Korean stories (all of ``demo.content_ko`` with ``--language
        ko``, else the lead's original), each linked to its English
        translation through ``services.link_translation()``; their drawn
        pictures are described in Korean (``content_ko.SCENE_TEXT``)."""
        stories = content_ko.STORIES if self.korean else [content_ko.LEAD_ORIGINAL]
        stored = set(
            Article.objects.filter(
                slug__in=[story["slug"] for story in stories]
            ).values_list("slug", flat=True)
        )
        now = timezone.now()
        created = 0
        for story in stories:
            if story["slug"] in stored:
                continue
            scene = demo_content.SECTION_SCENES[story["section"]]
            drawing = pictures.draw_scene(scene, story["slug"])
            alt, caption = content_ko.SCENE_TEXT[scene]
            drawing = dataclasses.replace(drawing, alt=alt, caption=caption)
            with transaction.atomic():
                original = self.create_story(story, drawing, sections, authors, now)
                translation = Article.objects.filter(slug=story["translation"]).first()
                if translation is not None and translation.translation_key is None:
                    services.link_translation(translation, original)
                    services.save_story(translation, renditions=False)
            created += 1
        return created

    def make_renditions(self):
        with ThreadPoolExecutor(max_workers=os.cpu_count() or 2) as pool:
            list(pool.map(images.make_renditions, self.pending_renditions))

    # Live coverage -----------------------------------------------------------

    def load_live_coverage(self, authors) -> int:
        """One story marked live, with its updates and key points; an update
        already there (same text) is left as it is."""
        live = demo_content.LIVE_COVERAGE
        story = Article.objects.filter(slug=live["slug"]).first()
        if story is None or story.published_at is None:
            return 0
        coverage = LiveCoverage.objects.filter(story=story).first()
        if coverage is None:
            coverage = live_services.save_coverage(
                LiveCoverage(
                    story=story,
                    started_at=story.published_at,
                    summary=live["summary"],
                )
            )
        have = set(coverage.updates.values_list("text", flat=True))
        added = 0
        for minutes, author, headline, text, pinned in live["updates"]:
            if text in have:
                continue
            live_services.save_update(
                LiveUpdate(
                    coverage=coverage,
                    author=authors[author],
                    headline=headline,
                    text=text,
                    pinned=pinned,
                    published_at=min(
                        story.published_at + timedelta(minutes=minutes),
                        timezone.now(),
                    ),
                )
            )
            added += 1
        return added

    # Comments ----------------------------------------------------------------

    def load_comments(self) -> int:
        """The threads of ``demo.content.COMMENTS`` and the held comments.

        Times count from each story's publication, so a second run computes
        the same rows (and fingerprints) as the first. A story whose demo
        comments already match is left alone; otherwise its demo comments are
        replaced (a reader's own comments are never touched).
        """
        held = {}
        for slug, minutes, name, body, reason in demo_content.HELD_COMMENTS:
            held.setdefault(slug, []).append((minutes, name, body, reason))
        slugs = set(demo_content.COMMENTS) | set(held)
        stories = {
            story.slug: story
            for story in Article.objects.filter(slug__in=slugs).exclude(
                published_at=None
            )
        }
        demo_readers = set()
        changed = 0
        for slug, story in stories.items():
            rows = self.comment_rows(story, demo_content.COMMENTS.get(slug, []))
            for minutes, name, body, reason in held.get(slug, []):
                comment = self.comment(story, None, minutes, name, body)
                comment.status = Comment.Status.PENDING
                comment.held_reason = reason
                rows.append((comment, None))
            demo_readers.update(comment.ip_hash for comment, _ in rows)
            existing = Comment.objects.filter(
                article=story, ip_hash__in={comment.ip_hash for comment, _ in rows}
            )
            if set(existing.values_list("fingerprint", flat=True)) == {
                comment.fingerprint for comment, _ in rows
            }:
                continue
            with transaction.atomic():
                existing.delete()
                self.insert_comments(rows)
            changed += 1
        if changed:
            comments_moderated()
        return changed

    def comment(self, story, parent, minutes, name, body) -> Comment:
        ip_hash = reader_hash(name)
        created_at = story.published_at + timedelta(minutes=minutes)
        comment = Comment(
            article=story,
            name=name,
            body=body,
            status=Comment.Status.APPROVED,
            created_at=created_at,
            ip_hash=ip_hash,
            fingerprint=Comment.fingerprint_for(ip_hash, body, created_at),
        )
        comment.attach_to(parent)
        return comment

    def comment_rows(self, story, threads, parent=None) -> list:
        """``[(comment, parent comment)]``, parents before their replies."""
        rows = []
        for minutes, name, body, replies in threads:
            comment = self.comment(story, parent, minutes, name, body)
            rows.append((comment, parent))
            rows += self.comment_rows(story, replies, comment)
        return rows

    def insert_comments(self, rows):
        """One INSERT per depth, so each reply can point at its saved parent."""
        for depth in range(1, max(comment.depth for comment, _ in rows) + 1):
            level = [(c, parent) for c, parent in rows if c.depth == depth]
            for comment, parent in level:
                if parent is not None:
                    comment.parent = parent
            Comment.objects.bulk_create([comment for comment, _ in level])

    # View history ------------------------------------------------------------

    def load_views(self) -> int:
        """A month of daily views for the live demo stories that have none.

        Written as rows of the two count tables only (each total the sum of
        its days), in one transaction. The shape gives each period of Most
        Viewed its own leader: today the breaking story, this week a story
        that kept rising, the month a story that was big weeks ago.
        """
        now = timezone.now()
        slugs = [
            s["slug"]
            for s in [*demo_content.STORIES, *content_ko.STORIES]
            if s["status"] == "published"
        ]
        stories = list(Article.objects.published(now).filter(slug__in=slugs))
        if not stories:
            return 0
        lead = next((s for s in stories if s.slug == demo_content.LEAD_SLUG), None)
        hours = {
            s["slug"]: s["hours_ago"]
            for s in [*demo_content.STORIES, *content_ko.STORIES]
        }
        # The day the demo was first loaded: the same on every later run.
        if lead is not None:
            loaded = lead.published_at + timedelta(hours=hours[lead.slug])
        else:
            loaded = now
        last_day = timezone.localdate(loaded)
        counted = set(
            ArticleViewTotal.objects.filter(article__in=stories).values_list(
                "article_id", flat=True
            )
        ) | set(
            ArticleDailyViews.objects.filter(article__in=stories).values_list(
                "article_id", flat=True
            )
        )
        days, totals = [], []
        for story in stories:
            if story.pk in counted:
                continue
            series = self.view_series(story, last_day, lead)
            days += [
                ArticleDailyViews(article=story, day=day, views=views)
                for day, views in series
            ]
            totals.append(
                ArticleViewTotal(article=story, views=sum(v for _, v in series))
            )
        with transaction.atomic():
            ArticleDailyViews.objects.bulk_create(days, batch_size=500)
            ArticleViewTotal.objects.bulk_create(totals, batch_size=500)
        return len(totals)

    def view_series(self, story, last_day, lead) -> list:
        """``[(day, views)]`` from the story's first day to ``last_day``."""
        rng = random.Random(story.slug)
        first_day = max(
            timezone.localdate(story.published_at), last_day - timedelta(days=29)
        )
        age = (last_day - first_day).days
        series = []
        for n in range(age + 1):
            day = first_day + timedelta(days=n)
            if lead is not None and story.pk == lead.pk:
                views = 5200 if day == last_day else 1400
            elif story.slug == OLD_HIT:
                views = round(14000 * 0.45**n) + rng.randrange(40, 90)
            elif story.slug == RISING:
                # Shared more each day since it appeared, never past the
                # breaking story in a single day.
                views = RISING_DAYS[min(n, len(RISING_DAYS) - 1)] + rng.randrange(80)
            else:
                peak = rng.randrange(300, 2200)
                views = round(peak * 0.5**n) + rng.randrange(5, 40)
            series.append((day, views))
        return series
