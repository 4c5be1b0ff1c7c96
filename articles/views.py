"""Reader pages. Every queryset here starts from ``Article.objects.published()``."""

from django.conf import settings
from django.db.models import Count, F, Q
from django.db.models.functions import RowNumber
from django.db.models.expressions import Window
from django.http import HttpResponsePermanentRedirect
from django.shortcuts import get_object_or_404
from django.utils import timezone
from django.views.generic import DetailView, ListView
from taggit.models import Tag

from articles.models import Article, Author, Section

STORIES_PER_SECTION_BLOCK = 4
TOP_STORIES = 5
RELATED_STORIES = 4


class PublishedArticleMixin:
    """Reader pages all start from the same definition of "live"."""

    paginate_by = settings.ARTICLES_PER_PAGE

    def get_queryset(self):
        return Article.objects.published().for_listing()


class HomeView(PublishedArticleMixin, ListView):
    """Front page: the lead story, top stories, the latest per section, then more.

    Template: ``articles/home.html``. Context: ``lead``, ``top_stories``,
    ``section_blocks`` (list of ``(section, [articles])``), and the paginated
    ``page_obj`` of other stories.
    """

    template_name = "articles/home.html"

    def get(self, request, *args, **kwargs):
        self.front = self.get_front_stories() if not request.GET.get("page") else []
        return super().get(request, *args, **kwargs)

    def get_front_stories(self):
        top = list(super().get_queryset().filter(is_top_story=True)[:TOP_STORIES])
        if not top:
            top = list(super().get_queryset()[:1])
        return top

    def get_queryset(self):
        return super().get_queryset().exclude(pk__in=[a.pk for a in self.front])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["lead"] = self.front[0] if self.front else None
        context["top_stories"] = self.front[1:]
        context["section_blocks"] = self.section_blocks() if self.front else []
        return context

    def section_blocks(self):
        """The newest few stories of every section, in one query (a window)."""
        ranked = (
            Article.objects.published()
            .annotate(
                section_rank=Window(
                    RowNumber(),
                    partition_by=F("section_id"),
                    order_by=[F("published_at").desc(), F("pk").desc()],
                )
            )
            .filter(section_rank__lte=STORIES_PER_SECTION_BLOCK)
            .for_listing()
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

    Context: ``article`` (with bylines, authors, tags and section loaded) and
    ``related`` (published stories sharing its tags, most shared then newest).
    A story whose date in the address is wrong redirects to its real address.
    """

    def get_queryset(self):
        return super().get_queryset().prefetch_related("tags")

    def get_object(self, queryset=None):
        return get_object_or_404(self.get_queryset(), slug=self.kwargs["slug"])

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
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
        return context

    def related_stories(self, article):
        tag_ids = [tag.pk for tag in article.tags.all()]  # prefetched
        if not tag_ids:
            return []
        return list(
            Article.objects.published()
            .filter(taggedarticle__tag_id__in=tag_ids)
            .exclude(pk=article.pk)
            .annotate(shared_tags=Count("taggedarticle"))
            .order_by("-shared_tags", "-published_at", "-pk")
            .for_listing()[:RELATED_STORIES]
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
    """Stories with one tag. Template reads ``tag``."""

    template_name = "articles/tag_detail.html"

    def get_queryset(self):
        self.tag = get_object_or_404(Tag, slug=self.kwargs["slug"])
        return super().get_queryset().tagged(self.tag)

    def get_context_data(self, **kwargs):
        return super().get_context_data(tag=self.tag, **kwargs)


class TagIndexView(ListView):
    """Every tag with at least one published story, with its story count."""

    template_name = "articles/tag_index.html"
    context_object_name = "tags"
    paginate_by = 200

    def get_queryset(self):
        live = Article.objects.published().values("pk")
        return (
            Tag.objects.annotate(
                story_count=Count(
                    "articles_taggedarticle_items",
                    filter=Q(articles_taggedarticle_items__content_object__in=live),
                )
            )
            .filter(story_count__gt=0)
            .order_by("name")
        )


class AuthorView(PublishedArticleMixin, ListView):
    """An author's page: bio, photo and their stories. Template reads ``author``."""

    template_name = "articles/author_detail.html"

    def get_queryset(self):
        self.author = get_object_or_404(Author, slug=self.kwargs["slug"])
        return super().get_queryset().by_author(self.author)

    def get_context_data(self, **kwargs):
        return super().get_context_data(author=self.author, **kwargs)


class AuthorIndexView(ListView):
    """Everyone who has a byline on a published story."""

    template_name = "articles/author_index.html"
    context_object_name = "authors"
    paginate_by = 200

    def get_queryset(self):
        live = Article.objects.published().values("pk")
        return (
            Author.objects.annotate(
                story_count=Count(
                    "bylines__article",
                    filter=Q(bylines__article__in=live),
                    distinct=True,
                )
            )
            .filter(story_count__gt=0)
            .order_by("name")
        )
