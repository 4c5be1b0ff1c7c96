import operator
import secrets
import uuid
from datetime import datetime
from pathlib import PurePath

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Count, F, Prefetch, Q
from django.utils import formats, timezone
from django.utils.translation import get_supported_language_variant, pgettext_lazy
from django.utils.translation import gettext_lazy as _
from django_prose_editor.fields import ProseEditorField
from taggit.managers import TaggableManager
from taggit.models import Tag, TaggedItemBase

from articles import signals, slugs, storage
from articles.images import CleanImageField
from articles.links import cached_reverse
from articles.sanitizer import clean_html

BODY_EXTENSIONS = {
    "Bold": True,
    "Italic": True,
    "Strike": True,
    "Underline": True,
    "Subscript": True,
    "Superscript": True,
    "Heading": {"levels": [2, 3, 4]},
    "BulletList": True,
    "OrderedList": True,
    "ListItem": True,
    "Blockquote": True,
    "CodeBlock": True,
    "Code": True,
    "HorizontalRule": True,
    "HardBreak": True,
    "Link": {"enableTarget": False, "protocols": ["http", "https", "mailto"]},
    "Table": True,
    "TableRow": True,
    "TableHeader": True,
    "TableCell": True,
    "History": True,
}


def upload_path(instance, filename):
    """A generated name: the client's file name never reaches the file system.

    Uploads through forms arrive re-encoded by ``articles.images`` as
    ``image.jpg`` or ``image.png``; only the suffix is kept.
    """
    suffix = PurePath(filename).suffix.lower()[:8]
    if suffix == ".jpeg":
        suffix = ".jpg"
    if suffix not in {".jpg", ".png", ".webp", ".gif"}:
        suffix = ".bin"
    now = timezone.now()
    return f"uploads/{now:%Y/%m}/{uuid.uuid4().hex}{suffix}"


def language_choices():
    """The languages a story may be in: ``settings.LANGUAGES``, read when
    asked, so adding one needs no migration."""
    return settings.LANGUAGES


def default_language():
    """The site's language as one of ``LANGUAGES`` ("en-us" is written "en")."""
    return get_supported_language_variant(settings.LANGUAGE_CODE)


class Section(models.Model):
    name = models.CharField(max_length=100, unique=True)
    slug = models.SlugField(max_length=100, unique=True, allow_unicode=True)
    description = models.TextField(blank=True)
    order = models.PositiveSmallIntegerField(
        default=0, help_text=_("Sections are listed in this order, lowest first.")
    )

    class Meta:
        ordering = ["order", "name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("articles:section", self.slug)


class Author(models.Model):
    name = models.CharField(max_length=120)
    slug = models.SlugField(max_length=120, unique=True, allow_unicode=True)
    job_title = models.CharField(max_length=120, blank=True)
    bio = models.TextField(_("short bio"), blank=True, max_length=2000)
    photo = CleanImageField(
        upload_to=upload_path,
        blank=True,
        width_field="photo_width",
        height_field="photo_height",
        size_field="photo_size",
    )
    # Kept with the file, so pages never ask the media storage (articles.images).
    photo_width = models.PositiveIntegerField(null=True, editable=False)
    photo_height = models.PositiveIntegerField(null=True, editable=False)
    photo_size = models.PositiveBigIntegerField(null=True, editable=False)
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="author_profile",
        help_text=_("The staff account of this person, if they have one."),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self):
        return self.name

    def get_absolute_url(self):
        return cached_reverse("articles:author", self.slug)


# Related stories are ranked among this many newest stories sharing a tag.
RELATED_CANDIDATES = 500


def live_lookups(now: datetime) -> dict[str, object]:
    """What "live" means, once: marked published, and its time has come.

    ``ArticleQuerySet.published()`` filters by these lookups and
    ``Article.is_published_at()`` checks one story against the same ones, so
    the database and Python cannot come to disagree.
    """
    return {"status": Article.Status.PUBLISHED, "published_at__lte": now}


# The lookups ``live_lookups()`` uses, as comparisons in Python. As in SQL, a
# missing value (NULL, ``None``) matches none of them.
LOOKUP_TESTS = {"exact": operator.eq, "lte": operator.le}


def matches_lookups(instance: models.Model, lookups: dict[str, object]) -> bool:
    """Whether ``instance``'s fields pass every lookup, as a filter would."""
    for key, wanted in lookups.items():
        field, _sep, lookup = key.partition("__")
        value = getattr(instance, field)
        if value is None or not LOOKUP_TESTS[lookup or "exact"](value, wanted):
            return False
    return True


def listing_prefetches():
    """The prefetches a story card needs (see ``ArticleQuerySet.for_listing``)."""
    return (Prefetch("bylines", queryset=Byline.objects.select_related("author")),)


# A lead image without alt text keeps a story from going live (``clean()``
# says so to the editor of one story; these find them among many).
NEEDS_ALT_TEXT = models.Q(lead_image_alt="") & ~models.Q(lead_image="")


class ArticleQuerySet(models.QuerySet):
    def published(self, now=None):
        """The one definition of "live" (``live_lookups``): every public
        surface starts here."""
        return self.filter(**live_lookups(now or timezone.now()))

    def one_version_each(self, language=None, now=None):
        """Of a story and its translations, only the one in ``language`` (the
        site's) where that one is live; a story with no live version in it is
        listed as written. The Korean site's front lists the Korean original,
        not also its English translation, and still lists an English story
        that has no Korean version. One subquery in the same query."""
        language = language or default_language()
        in_language = (
            self.model.objects.published(now)
            .filter(language=language, translation_key__isnull=False)
            .values("translation_key")
        )
        return self.exclude(Q(translation_key__in=in_language) & ~Q(language=language))

    def scheduled(self, now=None):
        """Published with a time still to come: invisible until that time."""
        return self.filter(
            status=Article.Status.PUBLISHED, published_at__gt=now or timezone.now()
        )

    def missing_alt_text(self):
        """Stories with a lead image but no alt text: not to be published."""
        return self.filter(NEEDS_ALT_TEXT)

    def ready_to_publish(self):
        """Stories that may go live: no lead image, or one with alt text."""
        return self.exclude(NEEDS_ALT_TEXT)

    def hidden(self, now=None):
        """What readers cannot see: exactly the stories ``published()`` leaves
        out (drafts, stories in review, scheduled ones). Few, so counting
        "all minus hidden" reads no row of the live ones."""
        now = now or timezone.now()
        published = Article.Status.PUBLISHED
        others = [status for status in Article.Status.values if status != published]
        return self.filter(
            Q(status__in=others)
            | Q(status=published, published_at__gt=now)
            | Q(status=published, published_at__isnull=True)
        )

    def for_listing(self):
        """What a story card shows: its section and its bylines with authors."""
        return self.select_related("section").prefetch_related(*listing_prefetches())

    def for_cards(self):
        """``for_listing()`` without the body: lists of cards never show it.

        Story pages, previews, feeds and search snippets read the body and use
        ``for_listing()``.
        """
        return self.for_listing().defer("body")

    def with_tags(self):
        """Also the tags (story pages, feeds); cards do not show them."""
        return self.prefetch_related("tags")

    def by_author(self, author):
        """Stories with a byline of ``author`` (once each, whatever the roles).

        Read through the (author, article) index of ``Byline``.
        """
        return self.filter(
            pk__in=Byline.objects.filter(author=author).values("article_id")
        )

    def tagged(self, tag):
        """Stories with ``tag``, read through the (tag, story) index."""
        return self.filter(
            pk__in=TaggedArticle.objects.filter(tag=tag).values("content_object_id")
        )

    def newest_first_by_sorting(self):
        """Newest first, by sorting what the filters match: for few matches.

        The default order (``-published_at``) lets PostgreSQL walk the
        (status, published_at) index newest first and test each story against
        the other filters until a page is full: cheap when most stories match,
        a walk through the whole archive when few do. PostgreSQL chooses by its
        statistics, which know only the commonest tags and authors, so a rare
        tag looks common and its page read every story. Ordered ``NULLS LAST``
        (the same order: a published story always has a time) no index can
        supply the order, so the database reads the few matches through the
        filter's own index and sorts them. The caller knows that there are few
        (``articles.views.MatchListPaginator`` counts them first).
        """
        return self.order_by(F("published_at").desc(nulls_last=True), "-pk")

    def related_to(self, story, limit: int):
        """Up to ``limit`` stories sharing most tags with ``story``, newest
        first among equals; never ``story`` itself. ``story.tags`` may be
        prefetched.

        Ranked among the newest ``RELATED_CANDIDATES`` stories that share a
        tag (newest by id, read backwards off the (story, tag) index), so a
        story on a topic with tens of thousands of stories costs what one on
        a small topic does; related stories are about recent coverage anyway.
        """
        tag_ids = [tag.pk for tag in story.tags.all()]
        if not tag_ids:
            return self.none()
        candidates = (
            TaggedArticle.objects.filter(tag_id__in=tag_ids)
            .exclude(content_object_id=story.pk)
            .order_by("-content_object_id")
            .values("content_object_id")[:RELATED_CANDIDATES]
        )
        return (
            self.filter(pk__in=candidates)
            .annotate(
                shared_tags=Count(
                    "taggedarticle", filter=Q(taggedarticle__tag_id__in=tag_ids)
                )
            )
            .order_by("-shared_tags", "-published_at", "-pk")[:limit]
        )

    def update(self, **kwargs):
        """Bulk changes (admin actions) send no model signal: say so here."""
        rows = super().update(**kwargs)
        if rows:
            signals.content_changed.send(sender=Article, instance=None, stories=None)
        return rows


# Why the headline stops at 200 characters: longer ones run past three lines
# on story cards and are cut off in search results, feeds and social cards.
# The form says so and refuses more; nothing is cut silently.
HEADLINE_LIMIT = 200
SEO_HEADLINE_LIMIT = 120
SEO_DESCRIPTION_LIMIT = 300


class Article(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        REVIEW = "review", _("In review")
        PUBLISHED = "published", _("Published")

    headline = models.CharField(max_length=HEADLINE_LIMIT)
    slug = models.SlugField(
        max_length=slugs.SLUG_MAX_LENGTH,
        unique=True,
        allow_unicode=True,
        help_text=_("The last part of the story's address."),
    )
    dek = models.TextField(
        _("standfirst"),
        max_length=500,
        blank=True,
        help_text=_(
            "One or two sentences under the headline; also the summary "
            "in feeds and search results."
        ),
    )
    body = ProseEditorField(extensions=BODY_EXTENSIONS, sanitize=clean_html, blank=True)
    language = models.CharField(
        max_length=10,
        choices=language_choices,
        default=default_language,
        help_text=_(
            "The language the story is written in; pages and feeds "
            "declare it to browsers, screen readers and search engines."
        ),
    )
    lead_image = CleanImageField(
        upload_to=upload_path,
        blank=True,
        width_field="lead_image_width",
        height_field="lead_image_height",
        size_field="lead_image_size",
        help_text=_(
            "JPEG, PNG, WebP or GIF (first frame), at most 20 MB. "
            "It is re-encoded: location and camera data are removed."
        ),
    )
    lead_image_width = models.PositiveIntegerField(null=True, editable=False)
    lead_image_height = models.PositiveIntegerField(null=True, editable=False)
    # Bytes, for feed enclosures: read from the row, never from the storage.
    lead_image_size = models.PositiveBigIntegerField(null=True, editable=False)
    lead_image_alt = models.CharField(
        _("alt text"),
        max_length=300,
        blank=True,
        help_text=_("Describe the picture for readers who cannot see it."),
    )
    lead_image_caption = models.CharField(_("caption"), max_length=500, blank=True)
    lead_image_credit = models.CharField(_("credit"), max_length=200, blank=True)
    section = models.ForeignKey(
        Section, on_delete=models.PROTECT, related_name="articles"
    )
    tags = TaggableManager(through="TaggedArticle", blank=True)
    status = models.CharField(
        max_length=20, choices=Status, default=Status.DRAFT, db_index=False
    )
    published_at = models.DateTimeField(
        _("publication time"),
        null=True,
        blank=True,
        help_text=_("Set when the story is published."),
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Whose story this is: reporters see and edit only their own."),
    )
    comments_enabled = models.BooleanField(default=True)
    is_top_story = models.BooleanField(
        _("top story"),
        default=False,
        help_text=_("Top stories lead the home page, newest first."),
    )
    # Search and social previews (articles.seo, feeds): optional, the
    # headline, standfirst and lead image stand in for them.
    seo_headline = models.CharField(
        _("search and social headline"),
        max_length=SEO_HEADLINE_LIMIT,
        blank=True,
        help_text=_(
            "Optional. Shown by search engines and on social cards instead "
            "of the headline; they cut titles after about 60 characters."
        ),
    )
    seo_description = models.CharField(
        _("search and social description"),
        max_length=SEO_DESCRIPTION_LIMIT,
        blank=True,
        help_text=_(
            "Optional. Used instead of the standfirst in search results, "
            "social cards and feeds; about 155 characters are shown."
        ),
    )
    social_image = CleanImageField(
        _("social image"),
        upload_to=upload_path,
        blank=True,
        width_field="social_image_width",
        height_field="social_image_height",
        size_field="social_image_size",
        help_text=_(
            "Optional. Shown on social cards instead of the lead image "
            "(1200 × 630 pixels is best). Re-encoded like the lead image."
        ),
    )
    social_image_width = models.PositiveIntegerField(null=True, editable=False)
    social_image_height = models.PositiveIntegerField(null=True, editable=False)
    social_image_size = models.PositiveBigIntegerField(null=True, editable=False)
    # Bumped by every save through articles.services, in the same UPDATE that
    # checks it: a form opened at version 3 cannot overwrite version 4
    # (services.StoryChanged). Never typed in a form.
    version = models.PositiveIntegerField(default=1, editable=False)
    # Translations of one story share a key (the Korean original and its
    # English translation, say); None: a story with no translation.
    translation_key = models.UUIDField(
        null=True, blank=True, editable=False, db_index=True
    )

    objects = ArticleQuerySet.as_manager()

    class Meta:
        # The newsroom's word, everywhere the admin names the model.
        verbose_name = _("story")
        verbose_name_plural = _("stories")
        ordering = ["-published_at", "-pk"]
        # The lists' indexes carry language and translation_key too, so
        # that one_version_each() reads no row to decide which stories to
        # list (counts included); article_translation_idx answers its
        # subquery from the few stories that have translations.
        indexes = [
            models.Index(
                fields=["status", "-published_at", "language", "translation_key"],
                name="article_status_pub_idx",
            ),
            models.Index(
                fields=[
                    "section",
                    "status",
                    "-published_at",
                    "language",
                    "translation_key",
                ],
                name="article_section_pub_idx",
            ),
            models.Index(
                fields=["language", "status", "-published_at", "translation_key"],
                condition=Q(translation_key__isnull=False),
                name="article_translation_idx",
            ),
            # Led by status, as the front's query is: SQLite picks it only so.
            models.Index(
                fields=["status", "-published_at"],
                condition=Q(is_top_story=True),
                name="article_top_story_idx",
            ),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(status="published") | Q(published_at__isnull=False),
                name="article_published_has_time",
            ),
        ]
        permissions = [
            ("publish_article", "Can publish, schedule and unpublish stories"),
        ]

    def __str__(self):
        return self.headline

    def save(self, *args, **kwargs):
        if not self.slug:
            self.slug = slugs.slug_from(self.headline)
        if self.status == self.Status.PUBLISHED and self.published_at is None:
            self.published_at = timezone.now()
        self.body = clean_html(self.body)
        super().save(*args, **kwargs)

    def get_absolute_url(self):
        """``/yyyy/mm/dd/slug/``, the date in the current time zone.

        Listings ask for it several times a story: the answer is kept on the
        instance with what it was made from (slug, time, time zone) and made
        again when any of them changes.
        """
        moment = self.published_at or self.created_at  # None: an unsaved draft
        key = (self.slug, moment, timezone.get_current_timezone())
        memo = self.__dict__.get("_url_memo")
        if memo is not None and memo[0] == key:
            return memo[1]
        local = timezone.localtime(moment, key[2])  # None: dated now
        url = cached_reverse(
            "articles:detail",
            local.year,
            f"{local.month:02d}",
            f"{local.day:02d}",
            self.slug,
        )
        if moment is not None:
            self._url_memo = (key, url)
        return url

    def clean(self):
        super().clean()
        if (
            self.status == self.Status.PUBLISHED
            and self.lead_image
            and not self.lead_image_alt.strip()
        ):
            raise ValidationError(
                {"lead_image_alt": _("Describe the lead image before publishing.")},
                code="alt_required",
            )

    @property
    def is_published(self):
        """Live now: what ``Article.objects.published()`` would include."""
        return self.is_published_at(timezone.now())

    def is_published_at(self, now: datetime) -> bool:
        """Live at ``now``, by the rule ``published(now)`` filters with."""
        return matches_lookups(self, live_lookups(now))

    @property
    def is_scheduled(self):
        """Published, but its time has not come: invisible until then."""
        return (
            self.status == self.Status.PUBLISHED
            and self.published_at is not None
            and self.published_at > timezone.now()
        )

    def translations(self):
        """The other published language versions of this story."""
        if self.translation_key is None:
            return Article.objects.none()
        return (
            Article.objects.published()
            .filter(translation_key=self.translation_key)
            .exclude(pk=self.pk)
            .order_by("language", "pk")
        )

    @property
    def search_headline(self):
        """What search engines and social cards show as the title."""
        return self.seo_headline or self.headline

    @property
    def search_description(self):
        """The summary for search results, social cards and feeds."""
        return self.seo_description or self.dek

    @property
    def social_picture(self):
        """The picture of social cards: the social image, else the lead image."""
        return self.social_image or self.lead_image

    @property
    def was_updated(self):
        """True when the story changed noticeably after it went out."""
        return bool(
            self.published_at
            and self.updated_at
            and (self.updated_at - self.published_at).total_seconds() > 60
        )


class Byline(models.Model):
    class Role(models.TextChoices):
        # The words of a byline (articles/markup.py puts them beside the
        # names in the language's order: "By Choi Young Hoon", "최영훈 기자").
        BY = "by", pgettext_lazy("byline role", "By")
        REPORTING = "reporting", pgettext_lazy("byline role", "Reporting by")
        TRANSLATED = "translated", pgettext_lazy("byline role", "Translated by")
        EDITED = "edited", pgettext_lazy("byline role", "Edited by")
        PHOTOS = "photos", pgettext_lazy("byline role", "Photos by")

    # Both foreign keys are served by the two-column indexes below (a story's
    # bylines by the unique constraint, an author's stories by the index).
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="bylines", db_index=False
    )
    author = models.ForeignKey(
        Author, on_delete=models.PROTECT, related_name="bylines", db_index=False
    )
    role = models.CharField(max_length=20, choices=Role, default=Role.BY)
    order = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["order", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["article", "author", "role"], name="byline_unique_role"
            ),
        ]
        indexes = [
            # An author's page: their story ids without reading the table.
            models.Index(
                fields=["author", "article"], name="byline_author_article_idx"
            ),
        ]

    def __str__(self):
        return f"{self.get_role_display()} {self.author}"


class ArticleRevision(models.Model):
    """A snapshot of a story after one save: fields, bylines and tags.

    Written and pruned only by ``articles.revisions``.
    """

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="revisions"
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    summary = models.CharField(max_length=300, blank=True)
    data = models.JSONField()

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [
            models.Index(
                fields=["article", "-created_at"], name="article_revision_idx"
            ),
        ]

    def __str__(self):
        when = timezone.localtime(self.created_at)
        return f"{self.article_id} at {formats.date_format(when, 'DATETIME_FORMAT')}"


class TaggedArticle(TaggedItemBase):
    """Tags through a real foreign key: enforced by the database, cheap joins."""

    # Both foreign keys are served by the two-column indexes below (a story's
    # tags by the unique constraint, a tag's stories by the index).
    content_object = models.ForeignKey(
        Article, on_delete=models.CASCADE, db_index=False
    )
    tag = models.ForeignKey(
        Tag,
        on_delete=models.CASCADE,
        related_name="%(app_label)s_%(class)s_items",
        db_index=False,
    )

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["content_object", "tag"], name="tagged_article_unique"
            ),
        ]
        indexes = [
            # A tag's page: its story ids without reading the table.
            models.Index(
                fields=["tag", "content_object"], name="tagged_article_tag_idx"
            ),
        ]


class ArticleRedirect(models.Model):
    """An address a published story had before its slug or date changed.

    Written only by ``articles.redirects.record_url_change()``; the story page
    answers a 301 to the story's current address while it is published.
    """

    old_path = models.CharField(max_length=400, unique=True)
    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="old_addresses"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self):
        return f"{self.old_path} → {self.article_id}"


def kept_upload_path(instance, filename):
    """Kept uploads under a generated name."""
    suffix = ".png" if filename.lower().endswith(".png") else ".jpg"
    return f"{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


def kept_upload_storage():
    """Kept uploads' own storage, never the public one (``articles.storage``)."""
    return storage.kept_uploads


class BodyImage(models.Model):
    """A picture placed in a story's body from the editor.

    Uploaded by ``articles.bodyimages`` through the lead image's pipeline
    (``CleanImageField``: decoding limits, re-encoding without metadata) with
    its renditions made at once; the body keeps a ``<figure
    class="body-figure">`` that the story page draws as ``<picture>``.
    ``article`` is set by ``services.save_story()`` once a saved body uses it.
    """

    image = CleanImageField(
        upload_to=upload_path,
        width_field="width",
        height_field="height",
        size_field="size",
    )
    width = models.PositiveIntegerField(null=True, editable=False)
    height = models.PositiveIntegerField(null=True, editable=False)
    size = models.PositiveBigIntegerField(null=True, editable=False)
    alt = models.CharField(_("alt text"), max_length=300)
    caption = models.CharField(max_length=500, blank=True)
    credit = models.CharField(max_length=200, blank=True)
    article = models.ForeignKey(
        Article,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="body_images",
    )
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return self.alt


class KeptUpload(models.Model):
    """A picture that came with a form that failed validation, kept for the
    editor who sent it so that they need not upload it again
    (``articles.uploads``). Already re-encoded: pixels only."""

    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    file = models.FileField(upload_to=kept_upload_path, storage=kept_upload_storage)
    width = models.PositiveIntegerField()
    height = models.PositiveIntegerField()
    # Shown back to the editor ("kept: photo.jpg"), never used in a path.
    original_name = models.CharField(max_length=100, blank=True)
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+"
    )
    created_at = models.DateTimeField(default=timezone.now, db_index=True)

    def __str__(self):
        return self.original_name or str(self.token)


def _preview_key() -> str:
    return secrets.token_urlsafe(16)


class PreviewLinkQuerySet(models.QuerySet):
    def active(self, now=None):
        """Links that still open: not revoked, not expired, and made by
        someone still on the desk (an account deactivated, or no longer
        staff, takes its links with it)."""
        now = now or timezone.now()
        return self.filter(
            revoked_at__isnull=True,
            expires_at__gt=now,
            created_by__is_active=True,
            created_by__is_staff=True,
        )


class PreviewLink(models.Model):
    """A share link to a story's preview for someone without a login
    (``articles.preview``): signed, expiring, revocable by the desk."""

    article = models.ForeignKey(
        Article, on_delete=models.CASCADE, related_name="preview_links"
    )
    # Carried in the signed token and compared in constant time: a link made
    # before a revoke-and-recreate never opens the new one.
    key = models.CharField(max_length=32, default=_preview_key, editable=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = PreviewLinkQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"Share link {self.pk} to {self.article_id}"

    @property
    def is_active(self) -> bool:
        return self.revoked_at is None and self.expires_at > timezone.now()

    def revoke(self, now=None) -> None:
        self.revoked_at = now or timezone.now()
        self.save(update_fields=["revoked_at"])


class PendingChangeQuerySet(models.QuerySet):
    def awaiting_review(self):
        """Submitted by a reporter, not yet published or scheduled."""
        return self.filter(state=PendingChange.State.REVIEW)

    def due(self, now=None):
        """Scheduled, and their time has come (``articles.staging.publish_due``)."""
        return self.filter(
            state=PendingChange.State.SCHEDULED,
            publish_at__lte=now or timezone.now(),
        )


class PendingChange(models.Model):
    """Changes to a published story that readers do not see yet: Wagtail's
    draft revision over a live page (``articles.staging``).

    ``data`` holds what the form sent in the shape revisions use
    (``articles.revisions.snapshot``: the text fields, section, bylines and
    tags); ``base`` is the live story as it was when the changes were made,
    so publishing can tell whether the live story moved on meanwhile. One set
    of pending changes per story; the story's row is untouched until an
    editor publishes them through ``services.save_story()``.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Changes pending")
        REVIEW = "review", _("Pending review")
        SCHEDULED = "scheduled", _("Update scheduled")

    article = models.OneToOneField(
        Article, on_delete=models.CASCADE, related_name="pending_change"
    )
    data = models.JSONField()
    base = models.JSONField(help_text=_("The live story the changes were made on."))
    base_version = models.PositiveIntegerField(null=True, blank=True)
    state = models.CharField(max_length=10, choices=State, default=State.DRAFT)
    publish_at = models.DateTimeField(
        _("publish the changes at"), null=True, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    created_at = models.DateTimeField(default=timezone.now)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    updated_at = models.DateTimeField(default=timezone.now)

    objects = PendingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("pending changes")
        verbose_name_plural = _("pending changes")
        indexes = [
            models.Index(fields=["state", "publish_at"], name="pending_state_due_idx"),
        ]
        constraints = [
            models.CheckConstraint(
                condition=~Q(state="scheduled") | Q(publish_at__isnull=False),
                name="pending_scheduled_has_time",
            ),
        ]

    def __str__(self):
        return f"Pending changes to {self.article_id}"


# The desk's words for the models and for the fields named after themselves,
# in the editor's language. Set on the model's options and on the field's
# shown name, not passed to the field: a label is no schema, so migrations
# (which read the arguments a field was given) never record a translation.
MODEL_LABELS = {
    Section: (_("section"), _("sections")),
    Author: (_("author"), _("authors")),
    Byline: (_("byline"), _("bylines")),
    ArticleRevision: (_("revision"), _("revisions")),
    ArticleRedirect: (_("old address"), _("old addresses")),
    BodyImage: (_("picture in the body"), _("pictures in the body")),
    KeptUpload: (_("kept upload"), _("kept uploads")),
    PreviewLink: (_("share link"), _("share links")),
}
FIELD_LABELS = {
    Section: {
        "name": _("name"),
        "slug": _("slug"),
        "description": _("description"),
        "order": _("order"),
    },
    Author: {
        "name": _("name"),
        "slug": _("slug"),
        "job_title": _("job title"),
        "photo": _("photo"),
        "user": _("user"),
    },
    Article: {
        "headline": _("headline"),
        "slug": _("slug"),
        "body": _("body"),
        "language": _("language"),
        "lead_image": _("lead image"),
        "section": _("section"),
        "tags": _("tags"),
        "status": _("status"),
        "created_at": _("created at"),
        "updated_at": _("updated at"),
        "created_by": _("created by"),
        "comments_enabled": _("comments enabled"),
    },
    Byline: {
        "article": _("story"),
        "author": _("author"),
        "role": _("role"),
        "order": _("order"),
    },
    ArticleRevision: {
        "article": _("story"),
        "created_by": _("created by"),
        "created_at": _("created at"),
        "summary": _("summary"),
    },
    PendingChange: {
        "article": _("story"),
        "state": _("state"),
        "created_by": _("created by"),
        "created_at": _("created at"),
        "updated_by": _("updated by"),
        "updated_at": _("updated at"),
    },
    PreviewLink: {
        "article": _("story"),
        "created_by": _("created by"),
        "created_at": _("created at"),
        "expires_at": _("expires at"),
        "revoked_at": _("revoked at"),
    },
}


def _label_models() -> None:
    for model, (singular, plural) in MODEL_LABELS.items():
        model._meta.verbose_name = singular
        model._meta.verbose_name_plural = plural
    for model, labels in FIELD_LABELS.items():
        for name, label in labels.items():
            model._meta.get_field(name).verbose_name = label


_label_models()
