from datetime import timedelta

import pytest
from django.forms.renderers import DjangoTemplates
from django.template import Context, Template
from django.urls import reverse
from django.utils import timezone

from comments import counts, threads
from comments.models import Comment
from comments.templatetags.comment_tags import comment_body
from tests.comments.conftest import make_comment, parse
from tests.factories import make_article, make_draft, make_user

pytestmark = pytest.mark.django_db


def most_commented_headlines(client):
    doc = parse(client.get(reverse("articles:home")))
    section = doc.find(".//section[@class='most-commented']")
    if section is None:
        return []
    return [a.text for a in section.findall(".//li/a")]


def test_most_commented_counts_approved_comments_of_the_last_seven_days(client):
    now = timezone.now()
    busy, quiet, stale = make_article(), make_article(), make_article()
    for _ in range(3):
        make_comment(busy)
    make_comment(quiet)
    for status in ("pending", "rejected", "spam"):
        make_comment(quiet, status=status)
        make_comment(quiet, status=status)
    for _ in range(5):
        make_comment(stale, created_at=now - timedelta(days=7, minutes=1))
    make_comment(make_draft())
    entries = counts.most_commented(10)
    assert [(e["pk"], e["count"]) for e in entries] == [(busy.pk, 3), (quiet.pk, 1)]


def test_most_commented_ties_go_to_the_most_recent_discussion():
    now = timezone.now()
    older, newer = make_article(), make_article()
    make_comment(newer, created_at=now - timedelta(hours=3))
    make_comment(older, created_at=now - timedelta(hours=2))
    assert [e["pk"] for e in counts.most_commented(5)] == [older.pk, newer.pk]


def test_most_commented_is_on_the_home_and_story_pages_and_follows_moderation(
    client,
):
    first, second = make_article(headline="First"), make_article(headline="Second")
    make_comment(first)
    make_comment(first)
    held = [make_comment(second, status="pending") for _ in range(3)]
    assert most_commented_headlines(client) == ["First"]
    Comment.objects.filter(pk__in=[c.pk for c in held]).set_status("approved")
    assert most_commented_headlines(client) == ["Second", "First"]
    doc = parse(client.get(first.get_absolute_url()))
    aside = doc.find(".//section[@class='most-commented']")
    assert [a.text for a in aside.findall(".//li/a")] == ["Second", "First"]
    Comment.objects.filter(article=second).first().delete()
    Comment.objects.filter(article=second).first().delete()
    assert most_commented_headlines(client) == ["First", "Second"]


def test_moderating_in_the_admin_refreshes_most_commented(client):
    story = make_article(headline="Held story")
    comment = make_comment(story, status="pending")
    assert most_commented_headlines(client) == []
    admin = make_user(superuser=True)
    client.force_login(admin)
    client.post(
        reverse("admin:comments_comment_changelist"),
        {"action": "approve", "_selected_action": [comment.pk]},
    )
    assert most_commented_headlines(client) == ["Held story"]


def test_a_withdrawn_story_leaves_most_commented_once_the_cache_refreshes(client):
    story = make_article(headline="Withdrawn")
    make_comment(story)
    assert most_commented_headlines(client) == ["Withdrawn"]
    story.status = "draft"
    story.save()
    make_comment(make_article(headline="Other"))  # any comment change refreshes
    assert most_commented_headlines(client) == ["Other"]


def test_comment_counts_for_a_list_take_one_query(django_assert_num_queries):
    articles = [make_article() for _ in range(30)]
    for n, article in enumerate(articles[:10]):
        for _ in range(n):
            make_comment(article)
        make_comment(article, status="pending")
    template = Template(
        "{% load comment_tags %}{% comment_counts_for articles as counts %}"
        "{% for a in articles %}{{ counts|count_for:a }},{% endfor %}"
    )
    with django_assert_num_queries(1):
        out = template.render(Context({"articles": articles}))
    assert out == ",".join(str(n) for n in range(10)) + ",0" * 20 + ","


def test_comment_body_escapes_and_links_with_the_reader_rel():
    html = comment_body('<i>hi</i>\r\nsee http://a.example/?q="x"&y=<b>')
    doc = parse_fragment(html)
    assert [el.tag for el in doc] == ["br", "a"]
    link = doc[1]
    assert link.get("rel") == "nofollow ugc noopener"
    assert "<i>hi</i>" in (doc.text or "")


def parse_fragment(html):
    import html5lib

    return html5lib.parseFragment(
        str(html), treebuilder="etree", namespaceHTMLElements=False
    )


def test_story_cards_show_counts_from_one_query_for_every_list(
    django_assert_num_queries,
):

    from articles.models import Article

    stories = [make_article() for _ in range(6)]
    for n, story in enumerate(stories):
        for _ in range(n):
            make_comment(story)
    make_comment(stories[0], status="pending")
    listed = list(Article.objects.filter(pk__in=[s.pk for s in stories]).for_listing())
    by_pk = {a.pk: a for a in listed}
    top = [by_pk[stories[5].pk]]
    blocks = [(top[0].section, [by_pk[s.pk] for s in stories[:3]])]
    rest = [by_pk[s.pk] for s in stories[3:5]]
    template = Template(
        "{% load article_tags comment_tags %}"
        "{% comment_counts_for top blocks rest as comment_counts %}"
        "{% for article in top %}"
        "{% story_card article %}{% endfor %}"
        "{% for section, articles in blocks %}{% for article in articles %}"
        "{% story_card article %}{% endfor %}{% endfor %}"
        "{% for article in rest %}"
        "{% story_card article %}{% endfor %}"
    )
    with django_assert_num_queries(1):
        html = template.render(Context({"top": top, "blocks": blocks, "rest": rest}))
    doc = parse_fragment(html)
    shown = {}
    for card in doc.findall(".//article"):
        href = card.find(".//*[@class='card__headline']/a").get("href")
        count = card.find(".//p[@class='card__comments']/a")
        shown[href] = count.text if count is not None else None
    expected = {
        s.get_absolute_url(): (f"{n} comment{'s' if n != 1 else ''}" if n else None)
        for n, s in enumerate(stories)
    }
    assert shown == expected
    with django_assert_num_queries(0):  # lists that do not ask show no count
        alone = Template("{% load article_tags %}{% story_card article %}").render(
            Context({"article": by_pk[stories[5].pk]})
        )
    assert parse_fragment(alone).find(".//p[@class='card__comments']") is None


def test_comment_times_are_valid_html_datetimes_to_the_second(client, db):
    import re

    article = make_article()
    comment = make_comment(article)
    comment.created_at = comment.created_at.replace(microsecond=123456)
    comment.save()
    doc = parse(client.get(article.get_absolute_url()))
    stamps = [
        time.get("datetime")
        for link in doc.iter("a")
        if "comment-permalink" in (link.get("class") or "")
        for time in link.iter("time")
    ]
    assert stamps
    for stamp in stamps:
        # HTML allows at most three decimals; '|date:"c"' would print six.
        assert re.fullmatch(
            r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(?:Z|[+-]\d\d:?\d\d)", stamp
        ), stamp


def urlized(text):
    """What ``comment_body`` must return: Django's urlize with the reader
    ``rel``, escaped, line breaks as ``<br>``."""
    from django.utils.text import normalize_newlines

    from comments.templatetags.comment_tags import CommentUrlizer

    html = CommentUrlizer()(
        normalize_newlines(text), trim_url_limit=60, nofollow=False, autoescape=True
    )
    return str(html).replace("\n", "<br>")


@pytest.mark.parametrize(
    "text",
    [
        "Plain words, nothing else. Really!",
        "<b>bold</b> & \"quoted\" 'text'\r\nnext line\rold Mac line",
        "see www.example.co.uk/path today",
        "example.COM and Example.Org.",
        "mail me@example.net or me@localhost",
        "a time 10:30 and a ratio 3:1",
        'http://a.example/?q="x"&y=<b>',
        "(https://example.com/a_(b)).",
        "odd letters: foo.ınt bar.İNT baz.mıl",
        "",
    ],
)
def test_comment_body_is_exactly_urlize_with_or_without_links(text):
    assert str(comment_body(text)) == urlized(text)


def test_comment_body_matches_urlize_on_random_text():
    import random

    pieces = list(" .:@/<>&\"'\n\r\t()[];,!wcomnetrgdu") + [
        "www.",
        "http://",
        ".com",
        ".ORG",
        "a@b.io",
        "&amp;",
        ".ınt",
        "\u2028",
    ]
    rng = random.Random(4)
    for _ in range(3000):
        text = "".join(rng.choice(pieces) for _ in range(rng.randint(1, 10)))
        assert str(comment_body(text)) == urlized(text), repr(text)


# The loop thread.html used to run over the comments; ``thread_html`` writes
# the same markup in Python.
THREAD_LOOP = (
    "{% load comment_tags article_tags %}"
    "{% for comment, level in entries %}\n"
    '        <li class="comment comment-level-{{ level }}"'
    ' id="comment-{{ comment.pk }}">\n'
    '          <p class="comment-meta"><span class="comment-author">{{ comment.name }}'
    '</span> <a class="comment-permalink" href="#comment-{{ comment.pk }}">'
    "{% time_element comment.created_at %}</a></p>\n"
    '          <div class="comment-body">{{ comment.body|comment_body }}</div>\n'
    '          <p class="comment-actions">\n'
    "            {% if is_open %}"
    '<a class="comment-reply" href="{{ write_url }}?reply={{ comment.pk }}">'
    "Reply</a> · {% endif %}"
    '<a class="comment-report" href="{% cached_url \'comments:confirm_report\' '
    'comment.pk %}" rel="nofollow">Report</a>\n'
    "          </p>\n"
    "        </li>\n"
    "      {% endfor %}"
)


@pytest.mark.parametrize("is_open", [True, False])
def test_the_thread_is_the_markup_of_the_template_loop(is_open):
    from comments.templatetags.comment_tags import thread_html

    article = make_article()
    first = make_comment(article, name='<Ann & "Bo">', body="Hi <b>\nsee www.x.org")
    reply = make_comment(article, parent=first, body="1,000 & more")
    make_comment(article, parent=reply)
    make_comment(article, status="pending", body="held")
    entries = threads.build_thread(threads.approved_comments(article))
    assert [level for _, level in entries] == [1, 2, 3]
    write_url = reverse("comments:write", args=[article.pk])
    expected = Template(THREAD_LOOP).render(
        Context({"entries": entries, "write_url": write_url, "is_open": is_open})
    )
    assert thread_html(entries, write_url, is_open) == expected


def test_the_thread_reads_the_rows_and_order_of_approved_comments():
    article = make_article()
    now = timezone.now()
    later = make_comment(article, created_at=now)
    earlier = make_comment(article, created_at=now - timedelta(minutes=5))
    reply = make_comment(article, parent=earlier, created_at=now)
    for status in ("pending", "rejected", "spam"):
        make_comment(article, status=status)
    make_comment(make_article())
    expected = list(
        Comment.objects.approved().filter(article=article).order_by("created_at", "pk")
    )
    shown = threads.approved_comments(article)
    assert [c.pk for c in shown] == [earlier.pk, later.pk, reply.pk]
    fields = ("pk", "parent_id", "depth", "name", "body", "created_at")
    assert [[getattr(c, f) for f in fields] for c in shown] == [
        [getattr(c, f) for f in fields] for c in expected
    ]
    assert shown[0].created_at.tzinfo is not None


def test_comment_counts_are_those_of_approved_comments_once_per_story():
    from django.db.models import Count

    stories = [make_article() for _ in range(4)]
    for n, story in enumerate(stories):
        for _ in range(n):
            make_comment(story)
        for status in ("pending", "rejected", "spam"):
            make_comment(story, status=status)
    expected = dict(
        Comment.objects.approved()
        .values_list("article_id")
        .annotate(n=Count("pk"))
        .order_by()
    )
    # The same story in two lists (a lead that is also in its section's block).
    assert counts.comment_counts(stories + stories[2:]) == expected
    assert expected == {s.pk: n for n, s in enumerate(stories) if n}
    assert counts.comment_counts([]) == {}


def test_the_story_form_has_the_widgets_of_an_unbound_comment_form(client):
    from comments.forms import CommentForm

    article = make_article()
    html = client.get(article.get_absolute_url()).content.decode()
    form = CommentForm(article=article)
    for name in ("parent", "name", "email", "body"):
        assert str(form[name]) in html


def test_the_story_form_follows_the_form_renderer(settings):
    from comments.templatetags.comment_tags import blank_form

    before = blank_form()
    assert blank_form() is before  # rendered once
    settings.FORM_RENDERER = f"{__name__}.OtherRenderer"
    assert blank_form() is not before


class OtherRenderer(DjangoTemplates):
    pass
