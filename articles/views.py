"""Reader pages. Every queryset here starts from ``Article.objects.published()``
(the tag and author indexes count all stories less ``Article.objects.hidden()``)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, F, Q, QuerySet, prefetch_related_objects
from django.db.models.expressions import Window
from django.db.models.functions import RowNumber
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.utils.functional import cached_property
from django.views.generic import (
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from articles import cache, redirects
from articles.cache import PAGE_NUMBER
from articles.models import (
    Article,
    Author,
    Byline,
    Section,
    TaggedArticle,
    listing_prefetches,
)

STORIES_PER_SECTION_BLOCK = 4
# The section blocks are drawn from this many newest stories, so the front page
# never ranks the whole archive; a section silent that long shows no block.
SECTION_BLOCK_CANDIDATES = 400
TOP_STORIES = 5
RELATED_STORIES = 4
# Related stories are ranked among this many newest stories sharing a tag.
RELATED_CANDIDATES = 500
# A tag's or author's list with fewer stories than this is read by sorting its
# stories; a longer one by walking the newest stories until a page is full
# (``MatchListPaginator``). At this size both read about as many rows on an
# archive of 100,000 stories.
SORT_MATCHES_BELOW = 1000


class CappedPaginator(Paginator):
    """Counts no further than the last page a reader may ask for.

    ``COUNT(*)`` over a whole archive scans it; counting at most
    ``MAX_PAGE_NUMBER`` pages of rows is an index walk of bounded length.
    """

    @cached_property
    def count(self):
        if not isinstance(self.object_list, QuerySet):
            return super().count
        return self.count_rows()

    def count_rows(self):
        cap = settings.MAX_PAGE_NUMBER * self.per_page
        # Unordered: any ``cap`` rows count the same, so the database may read
        # them from whichever index answers the filters (an index-only scan).
        return self.object_list.order_by()[:cap].count()


class MatchListPaginator(CappedPaginator):
    """Pages of a tag's or an author's stories, newest first.

    PostgreSQL finds the newest stories of a tag either by walking all
    stories newest first, checking each for the tag, or by reading the tag's
    stories through the (tag, story) index and sorting them. It picks by its
    statistics, which know only the commonest tags: every other tag looks
    average, and a rare tag's page walked the whole archive to fill a page it
    could not fill. The count, read first, decides instead: below
    ``SORT_MATCHES_BELOW`` stories they are sorted
    (``ArticleQuerySet.newest_first_by_sorting``), above it the walk stops
    after a few pages' worth of stories.
    """

    def __init__(self, *args, count_key: str = "", **kwargs):
        super().__init__(*args, **kwargs)
        self.count_key = count_key

    def count_rows(self):
        """Counted once per content version (when every process shares it).

        A busy author's or topic's count reads thousands of index entries on
        every render. Like the pages themselves, it only changes with content,
        and every such change (a scheduled story's time included, when the
        page cache is on) moves the version; it is kept at most
        ``PAGE_CACHE_TTL`` seconds. Read fresh inside a transaction (an
        uncommitted change must not be kept) and without a shared cache.
        """
        version = None
        if self.count_key and not connection.in_atomic_block:
            version = cache.shared_version()
        if version is None:
            return super().count_rows()
        key = f"listcount:{version}:{self.count_key}"
        store = cache.page_cache()
        count = store.get(key)
        if count is None:
            count = super().count_rows()
            store.set(key, count, cache.ttl())
        return count

    def page(self, number):
        number = self.validate_number(number)
        if self.count < SORT_MATCHES_BELOW:
            self.object_list = self.object_list.newest_first_by_sorting()
        return super().page(number)


class BoundedPaginationMixin:
    """Only ``?page=1`` to ``?page=MAX_PAGE_NUMBER`` exist; anything else is a 404.

    Django already turns ``abc``, ``0`` and pages past the end into a 404; this
    also refuses ``last`` and huge numbers before a deep ``OFFSET`` is run.
    """

    paginator_class = CappedPaginator

    def paginate_queryset(self, queryset, page_size):
        raw = self.request.GET.get(self.page_kwarg)
        if raw is not None and (
            not PAGE_NUMBER.fullmatch(raw) or int(raw) > settings.MAX_PAGE_NUMBER
        ):
            raise Http404("No such page.")
        return super().paginate_queryset(queryset, page_size)


class PublishedArticleMixin(BoundedPaginationMixin):
    """Reader pages all start from the same definition of "live".

    Lists of story cards leave the body out (``for_cards``).
    """

    def get_paginate_by(self, queryset):
        return settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_cards()


class HomeView(PublishedArticleMixin, ListView):
    """Front page: the lead story, top stories, the latest per section, then more.

    Template: ``articles/home.html``. Context: ``lead``, ``top_stories``,
    ``section_blocks`` (list of ``(section, [articles])``), and the paginated
    ``page_obj`` of other stories. Page 2 onwards lists only the other stories;
    the front stories are left out of every page so the pages never shift.
    """

    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        cards = Article.objects.published().select_related("section").defer("body")
        self.front = list(cards.filter(is_top_story=True)[:TOP_STORIES]) or list(
            cards[:1]
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Bylines and tags are fetched once for every story on the page, below.
        return (
            Article.objects.published()
            .select_related("section")
            .defer("body")
            .exclude(pk__in=[article.pk for article in self.front])
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = list(page.object_list)
        context["object_list"] = context["article_list"] = page.object_list
        first_page = page.number == 1
        front = self.front if first_page else []
        blocks = self.section_blocks() if first_page else []
        stories = front + page.object_list
        stories += [article for _, articles in blocks for article in articles]
        prefetch_related_objects(stories, *listing_prefetches())
        context["lead"] = front[0] if front else None
        context["top_stories"] = front[1:]
        context["section_blocks"] = blocks
        return context

    def section_blocks(self):
        """The newest few stories of every section, in one query (a window).

        Stories already at the top of the page are not repeated in the blocks.
        """
        candidates = Article.objects.published().order_by("-published_at", "-pk")
        ranked = (
            Article.objects.filter(
                pk__in=candidates.values("pk")[:SECTION_BLOCK_CANDIDATES]
            )
            .exclude(pk__in=[article.pk for article in self.front])
            .annotate(
                section_rank=Window(
                    RowNumber(),
                    partition_by=F("section_id"),
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(section_rank__lte=STORIES_PER_SECTION_BLOCK)
            .select_related("section")
            .defer("body")
            .order_by("section__order", "section__name", "section_rank")
        )
        blocks = []
        for article in ranked:
            if not blocks or blocks[-1][0] != article.section:
                blocks.append((article.section, []))
            blocks[-1][1].append(article)
        return blocks


class ArticleDetailView(PublishedArticleMixin, DetailView):
    """One story. Template: ``articles/article_detail.html``.

    Context: ``article`` (with bylines, authors, tags and section loaded),
    ``label_bylines`` (the writers, named at the top of the story) and
    ``related`` (published stories sharing its tags, most shared then newest).
    A story whose date in the address is wrong redirects to its real address,
    and so does an address a published story had before (``articles.redirects``).
    """

    def get_queryset(self):
        return Article.objects.published().for_listing().with_tags()

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        try:
            self.object = self.get_object()
        except Http404:
            moved = redirects.find_redirect(request.path)
            if moved is None:
                raise
            return HttpResponsePermanentRedirect(moved.get_absolute_url())
        local = timezone.localtime(self.object.published_at)
        if (local.year, local.month, local.day) != (
            self.kwargs["year"],
            self.kwargs["month"],
            self.kwargs["day"],
        ):
            return HttpResponsePermanentRedirect(self.object.get_absolute_url())
        context = self.get_context_data(object=self.object)
        return self.render_to_response(context)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["label_bylines"] = self.label_bylines(self.object)
        context["related"] = self.related_stories(self.object)
        return context

    @staticmethod
    def label_bylines(article):
        """Who wrote it: the "By" and "Reporting by" bylines, else everyone."""
        bylines = list(article.bylines.all())  # prefetched
        writers = [
            byline
            for byline in bylines
            if byline.role in {Byline.Role.BY, Byline.Role.REPORTING}
        ]
        return writers or bylines

    def related_stories(self, article):
        """The stories sharing most tags, newest first among equals.

        Ranked among the newest ``RELATED_CANDIDATES`` stories that share a
        tag (newest by id, read backwards off the (story, tag) index), so a
        story on a topic with tens of thousands of stories costs what one on
        a small topic does; related stories are about recent coverage anyway.
        """
        tag_ids = [tag.pk for tag in article.tags.all()]  # prefetched
        if not tag_ids:
            return []
        candidates = (
            TaggedArticle.objects.filter(tag_id__in=tag_ids)
            .exclude(content_object_id=article.pk)
            .order_by("-content_object_id")
            .values("content_object_id")[:RELATED_CANDIDATES]
        )
        return list(
            Article.objects.published()
            .filter(pk__in=candidates)
            .annotate(
                shared_tags=Count(
                    "taggedarticle", filter=Q(taggedarticle__tag_id__in=tag_ids)
                )
            )
            .order_by("-shared_tags", "-published_at", "-pk")
            .for_cards()[:RELATED_STORIES]
        )


class SectionView(PublishedArticleMixin, ListView):
    """A section's stories, newest first. Template reads ``section``."""

    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        return super().get_queryset().filter(section=self.section)

    def get_context_data(self, **kwargs):
        return super().get_context_data(section=self.section, **kwargs)


class TagView(PublishedArticleMixin, ListView):
    """Stories with one tag. Template reads ``tag``.

    A tag with no published story is a 404: a draft's tags are not public yet.
    """

    template_name = "articles/tag_detail.html"
    paginator_class = MatchListPaginator

    def get_paginator(self, queryset, per_page, **kwargs):
        # Found by the page's own count query; ``allow_empty = False`` would
        # spend an extra EXISTS query on it.
        kwargs["allow_empty_first_page"] = False
        kwargs["count_key"] = f"tag:{self.tag.pk}"
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagIndexView(BoundedPaginationMixin, ListView):
    """Every tag with at least one published story, with its story count."""

    template_name = "articles/tag_index.html"
    context_object_name = "tags"
    paginate_by = 200

    def get_queryset(self):
        items = "articles_taggedarticle_items"
        hidden = Q(
            **{
                f"{items}__content_object__in": Article.objects.hidden()
                .order_by()
                .values("pk")
            }
        )
        return (
            Tag.objects.annotate(story_count=Count(items) - Count(items, filter=hidden))
            .filter(story_count__gt=0)
            .order_by("name")
        )


class AuthorView(PublishedArticleMixin, ListView):
    """An author's page: bio, photo and their stories. Template reads ``author``."""

    template_name = "articles/author_detail.html"
    paginator_class = MatchListPaginator

    def get_paginator(self, queryset, per_page, **kwargs):
        kwargs["count_key"] = f"author:{self.author.pk}"
        return super().get_paginator(queryset, per_page, **kwargs)

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class AuthorIndexView(BoundedPaginationMixin, ListView):
    """Everyone who has a byline on a published story."""

    template_name = "articles/author_index.html"
    context_object_name = "authors"
    paginate_by = 200

    def get_queryset(self):
        hidden = Q(
            bylines__article__in=Article.objects.hidden().order_by().values("pk")
        )
        return (
            Author.objects.annotate(
                story_count=Count("bylines__article", distinct=True)
                - Count("bylines__article", filter=hidden, distinct=True)
            )
            .filter(story_count__gt=0)
            .order_by("name")
        )


class ArchiveMixin(PublishedArticleMixin):
    """Date archives of published stories, in the newsroom's time zone.

    A period without stories is a 404 (``allow_empty``), so crawlers cannot
    walk endlessly through empty years and days; invalid dates are 404s too.
    Templates: ``articles/archive_{year,month,day}.html``.
    """

    date_field = "published_at"
    allow_empty = False
    month_format = "%m"
    day_format = "%d"

    def get_year(self):
        return str(self.kwargs["year"])

    def get_dated_items(self):
        # Nothing is published in future years; refusing them early also keeps
        # Django's date arithmetic away from year 9999 (an OverflowError).
        if self.kwargs["year"] > timezone.localdate().year:
            raise Http404("No stories from the future.")
        date_list, stories, extra = super().get_dated_items()
        return date_list, stories.for_cards(), extra

    def get_queryset(self):
        # Plain here: the previous/next period lookups need no bylines or tags.
        return Article.objects.published()

    def get_month(self):
        return str(self.kwargs["month"])

    def get_day(self):
        return str(self.kwargs["day"])


class YearArchive(ArchiveMixin, YearArchiveView):
    make_object_list = True
    template_name = "articles/archive_year.html"


class MonthArchive(ArchiveMixin, MonthArchiveView):
    template_name = "articles/archive_month.html"


class DayArchive(ArchiveMixin, DayArchiveView):
    template_name = "articles/archive_day.html"
