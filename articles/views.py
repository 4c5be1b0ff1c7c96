"""Reader pages. Every queryset here starts from ``Article.objects.published()``
(the tag and author indexes count all stories less ``Article.objects.hidden()``)."""

from django.conf import settings
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Count, Q, QuerySet, prefetch_related_objects
from django.http import Http404, HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.functional import cached_property
from django.utils.translation import gettext
from django.views.generic import (
    DayArchiveView,
    DetailView,
    ListView,
    MonthArchiveView,
    YearArchiveView,
)
from taggit.models import Tag

from articles import memo, redirects, renderings, shown, translations
from articles.http import PAGE_NUMBER
from articles.models import Article, Author, Section, listing_prefetches
from articles.search.forms import SearchForm
from articles.search.query import Search, SearchPaginator, name_suggestions
from articles.search.snippets import highlight, matching_tags, snippet

STORIES_PER_SECTION_BLOCK = 4
TOP_STORIES = 5
RELATED_STORIES = 4
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
        """Counted once per version of its list (when every process shares it).

        A busy author's or topic's count reads thousands of index entries on
        every render. Like the pages themselves, it only changes with content,
        and every such change (a scheduled story's time included, when the
        page cache is on) moves the version of the list (``list:tag:<id>``,
        ``list:author:<id>``) or the content version; it is kept at most
        ``PAGE_CACHE_TTL`` seconds (``articles.memo``). Read fresh inside a
        transaction (an uncommitted change must not be kept) and without a
        shared cache.
        """
        if not self.count_key or connection.in_atomic_block:
            return super().count_rows()
        return memo.kept(
            f"listcount:{self.count_key}",
            super().count_rows,
            depends_on=(f"list:{self.count_key}",),
        )

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
            raise Http404(gettext("No such page."))
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
    """Front page: the lead package, section fronts, then "More" pages.

    Template: ``articles/home.html``. Context: ``lead`` and ``top_stories``
    (the lead package: the editors' top stories, else the newest story),
    ``section_blocks`` (``[(section, [articles])]``), ``latest`` (the rest of
    page 1) and the paginated ``page_obj`` of the other stories.

    Page 1 shows each story once and at most ``TOP_STORIES`` plus one page of
    stories (``ARTICLES_PER_PAGE``): that page's stories are laid out as
    section fronts, up to ``STORIES_PER_SECTION_BLOCK`` each in the menu's
    order, and the rest under "Latest". Page 2 onwards list the next pages,
    so "More" starts where page 1 ended; the lead package is left out of every
    page so the pages never shift.
    """

    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        shown.listing("home")
        cards = (
            Article.objects.published()
            .one_version_each()
            .select_related("section")
            .defer("body")
        )
        self.front = list(cards.filter(is_top_story=True)[:TOP_STORIES]) or list(
            cards[:1]
        )
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        # Bylines and tags are fetched once for every story on the page, below.
        return (
            Article.objects.published()
            .one_version_each()
            .select_related("section")
            .defer("body")
            .exclude(pk__in=[article.pk for article in self.front])
        )

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        page = context["page_obj"]
        page.object_list = list(page.object_list)
        context["object_list"] = context["article_list"] = page.object_list
        front, blocks, latest = [], [], []
        if page.number == 1:
            front = self.front
            blocks, latest = section_fronts(page.object_list, STORIES_PER_SECTION_BLOCK)
        prefetch_related_objects(front + page.object_list, *listing_prefetches())
        context["lead"] = front[0] if front else None
        context["top_stories"] = front[1:]
        context["section_blocks"] = blocks
        context["latest"] = latest
        return context


def section_fronts(stories: list, per_section: int) -> tuple[list, list]:
    """``stories`` (newest first) laid out for the front page: up to
    ``per_section`` of each section's, ``[(section, [stories])]`` in the
    sections' order, and the ones left over, newest first. Each story is in
    exactly one of the two."""
    by_section: dict[int, tuple] = {}
    latest = []
    for story in stories:
        section, placed = by_section.setdefault(story.section_id, (story.section, []))
        if len(placed) < per_section:
            placed.append(story)
        else:
            latest.append(story)
    blocks = sorted(
        by_section.values(), key=lambda block: (block[0].order, block[0].name)
    )
    return blocks, latest


class ArticleDetailView(PublishedArticleMixin, DetailView):
    """One story. Template: ``articles/article_detail.html``.

    Context: ``article`` (with bylines, authors, tags and section loaded) and
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
        context["related"] = self.related_stories(self.object)
        self.record_shown(self.object, context["related"])
        context["translations"] = translations.live_translations(self.object)
        context["translated_from"] = translations.original_of(
            self.object, context["translations"]
        )
        return context

    @staticmethod
    def related_stories(article):
        """``related_to()``, its ranking kept per version of what decides it.

        Ranking the stories that share a tag is most of a story page's
        database time on a large archive (``bench/misses.py``). Which stories
        those are changes only when the story's tags do (``story:<id>``) or
        when a story enters, leaves or moves under one of them
        (``related:<tag>``, scheduled stories included, with the page cache
        on): their ids are kept per those versions (``articles.memo``) and the
        cards read by id, in the same number of queries. Read fresh inside a
        transaction, without a shared cache and with ``ARTICLES_RENDERINGS``
        off (``articles.renderings``).
        """
        live = Article.objects.published().for_cards()
        computed = []

        def rank():
            computed.append(list(live.related_to(article, RELATED_STORIES)))
            return [story.pk for story in computed[0]]

        if connection.in_atomic_block or not renderings.enabled():
            rank()
            return computed[0]
        tags = sorted(tag.pk for tag in article.tags.all())  # prefetched
        ids = memo.kept(
            f"related-ids:{article.pk}",
            rank,
            depends_on=(f"story:{article.pk}", *(f"related:{pk}" for pk in tags)),
        )
        if computed:
            return computed[0]
        # Read by id, then checked live in Python (``is_published_at``, the
        # same lookups): with ``published()`` in the query SQLite walks the
        # live-stories index instead of reading four rows by key.
        found = Article.objects.for_cards().in_bulk(ids) if ids else {}
        now = timezone.now()
        return [
            found[pk] for pk in ids if pk in found and found[pk].is_published_at(now)
        ]

    @staticmethod
    def record_shown(article, related):
        """The story, its people and tags, and which stories are related
        (``related:<tag>``: who else is live under its tags) and their cards."""
        shown.story(article)
        for byline in article.bylines.all():  # prefetched
            shown.author(byline.author)
        tags = list(article.tags.all())  # prefetched
        for tag in tags:
            shown.tag(tag)
        shown.related(tag.pk for tag in tags)
        shown.stories(story.pk for story in related)


class SectionView(PublishedArticleMixin, ListView):
    """A section's stories, newest first. Template reads ``section``."""

    template_name = "articles/section_detail.html"

    def get_queryset(self):
        self.section = get_object_or_404(Section, slug=self.kwargs["slug"])
        shown.listing(f"section:{self.section.pk}")
        return super().get_queryset().one_version_each().filter(section=self.section)

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
        shown.listing(f"tag:{self.tag.pk}")
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagIndexView(BoundedPaginationMixin, ListView):
    """Every tag with at least one published story, with its story count."""

    template_name = "articles/tag_index.html"
    context_object_name = "tags"
    paginate_by = 200

    def get_queryset(self):
        shown.listing("tags")
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
        shown.listing(f"author:{self.author.pk}")
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class AuthorIndexView(BoundedPaginationMixin, ListView):
    """Everyone who has a byline on a published story."""

    template_name = "articles/author_index.html"
    context_object_name = "authors"
    paginate_by = 200

    def get_queryset(self):
        shown.listing("authors")
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


def search_view(request):
    """Search results. Template: ``articles/search.html``.

    Context: ``form``, ``query``, ``page_obj`` (or ``None`` without a query),
    ``results``: ``(article, highlighted headline, snippet, matching tags)``
    per story (the tags whose names contain a term, marked), and
    ``limited_to``: the number of newest matches ranked when there are more
    (else ``None``). Without results: ``suggested_tags`` and
    ``suggested_authors`` (names containing a search term) and ``filtered``
    (a section, tag or date narrowed the search). The search itself is
    ``articles.search``.
    """
    form = SearchForm(request.GET or None)
    page_obj, results, query, limited_to = None, [], "", None
    suggested_tags, suggested_authors, filtered = [], [], False
    if form.is_valid():
        query = form.cleaned_data["q"]
        filters = {
            name: form.cleaned_data[name]
            for name in ("section", "tag", "date_from", "date_to")
        }
        filtered = any(value is not None for value in filters.values())
        search = Search(query, **filters)
        if search.matches is not None:
            page_obj = SearchPaginator(search, settings.ARTICLES_PER_PAGE).get_page(
                request.GET.get("page")
            )
            results = [
                (
                    article,
                    highlight(article.headline, search.terms),
                    snippet(article, search.terms),
                    matching_tags(article, search.terms),
                )
                for article in page_obj
            ]
            if search.limited:
                limited_to = search.limit
            if not results:
                suggested_tags, suggested_authors = name_suggestions(search.terms)
    return render(
        request,
        "articles/search.html",
        {
            "form": form,
            "query": query,
            "page_obj": page_obj,
            "results": results,
            "limited_to": limited_to,
            "suggested_tags": suggested_tags,
            "suggested_authors": suggested_authors,
            "filtered": filtered,
        },
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
            raise Http404(gettext("No stories from the future."))
        # Its year's stories, and the periods before and after it.
        shown.listing(f"archive:{self.kwargs['year']}")
        shown.listing("archive-nav")
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
