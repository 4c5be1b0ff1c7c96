"""The upgrade path: a database built by the migrations before the move (view
counts in ``articles``, commit 9bc75f6) keeps every row when the view-count
models move to ``viewcounts``.

The test builds the old schema with ``MigrationExecutor``, fills it through the
historical models, migrates forward, backward and forward again, and reads the
result with today's models. It lives at the top of ``tests/`` because it spans
every app (and ruff skips folders named ``migrations``).
"""

from datetime import timedelta

import pytest
from django.apps import apps as current_apps
from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth.models import Group, Permission, User
from django.contrib.contenttypes.models import ContentType
from django.core.management.sql import emit_post_migrate_signal
from django.db import connection
from django.db.migrations.autodetector import MigrationAutodetector
from django.db.migrations.executor import MigrationExecutor
from django.db.migrations.loader import MigrationLoader
from django.db.migrations.questioner import NonInteractiveMigrationQuestioner
from django.db.migrations.state import ProjectState
from django.utils import timezone

from articles.models import Article, ArticleRedirect, ArticleRevision
from comments.models import Comment
from viewcounts import stats
from viewcounts.models import ArticleDailyViews, ArticleViewTotal, FlushBatch

pytestmark = pytest.mark.django_db(transaction=True)

# The leaves of the commit before the move (9bc75f6); viewcounts did not exist.
BEFORE_THE_MOVE = [
    ("articles", "0007_article_live_cover_index"),
    ("comments", "0003_comment_fingerprint"),
]
MOVED_MODELS = ["articledailyviews", "articleviewtotal", "flushbatch", "recentview"]
MOVED_TABLES = [f"articles_{model}" for model in MOVED_MODELS]
# Every table the test fills, by model label in the old schema and in today's.
KEPT = {
    "articles.Section": "articles.Section",
    "articles.Author": "articles.Author",
    "articles.Article": "articles.Article",
    "articles.Byline": "articles.Byline",
    "articles.TaggedArticle": "articles.TaggedArticle",
    "articles.ArticleRevision": "articles.ArticleRevision",
    "articles.ArticleRedirect": "articles.ArticleRedirect",
    "taggit.Tag": "taggit.Tag",
    "comments.Comment": "comments.Comment",
    "articles.ArticleDailyViews": "viewcounts.ArticleDailyViews",
    "articles.ArticleViewTotal": "viewcounts.ArticleViewTotal",
    "articles.FlushBatch": "viewcounts.FlushBatch",
    "articles.RecentView": "viewcounts.RecentView",
    "contenttypes.ContentType": "contenttypes.ContentType",
    "auth.Permission": "auth.Permission",
}


def latest() -> list[tuple[str, str]]:
    return sorted(MigrationLoader(connection).graph.leaf_nodes())


MOVED = {"articles", "comments", "viewcounts"}


def newer_apps_on_articles() -> set[str]:
    """Apps whose migrations need today's articles (corrections, editing,
    live...): the previous release did not have them, so they are at zero in
    the old state."""
    graph = MigrationLoader(connection).graph
    return {
        app
        for app, name in graph.leaf_nodes()
        if app not in MOVED
        and any(node[0] == "articles" for node in graph.forwards_plan((app, name)))
    }


def old_targets() -> list[tuple[str, str | None]]:
    """The old leaves, the other apps (auth, taggit...) at their latest."""
    newer_apps = newer_apps_on_articles()
    others = [
        node for node in latest() if node[0] not in MOVED and node[0] not in newer_apps
    ]
    newer = [(app, None) for app in sorted(newer_apps)]
    return [*BEFORE_THE_MOVE, *others, *newer, ("viewcounts", None)]


def migrate(targets: list[tuple[str, str | None]]):
    """Migrate the test database to ``targets``; return that state's models.

    post_migrate follows with that state's models, as in ``manage.py migrate``:
    the old state gets the content types and permissions the old code made.
    """
    executor = MigrationExecutor(connection)
    plan = executor.migration_plan(targets)
    executor.migrate(targets, plan=plan)
    named = [node for node in targets if node[1] is not None]
    apps = MigrationExecutor(connection).loader.project_state(named).apps
    emit_post_migrate_signal(0, False, connection.alias, apps=apps, plan=plan)
    # Migrations rename content types behind the process-wide cache's back.
    ContentType.objects.clear_cache()
    return apps


def snapshot(apps, labels) -> dict[str, list[dict]]:
    """Every row of the filled tables, keyed by table name (column: value)."""
    rows = {}
    for label in labels:
        model = apps.get_model(label)
        rows[model._meta.db_table] = list(model.objects.order_by("pk").values())
    return rows


def old_columns(rows: dict[str, list[dict]], like: dict[str, list[dict]]) -> dict:
    """``rows`` with only the columns the old schema had (those in ``like``)."""
    kept = {}
    for table, table_rows in rows.items():
        columns = set(like[table][0]) if like.get(table) else None
        kept[table] = [
            {k: v for k, v in row.items() if columns is None or k in columns}
            for row in table_rows
        ]
    return kept


# Columns added since the previous release, and what an old row reads there.
NEW_COLUMN_DEFAULTS = {
    "articles_article": {
        "language": "en",
        "seo_headline": "",
        "seo_description": "",
        "social_image": "",
    },
    "comments_comment": {"reader_hash": ""},
}


def check_new_columns_have_their_defaults(after, before) -> None:
    for table, defaults in NEW_COLUMN_DEFAULTS.items():
        assert after[table], table
        added = set(after[table][0]) - set(before[table][0])
        assert set(defaults) <= added, (table, added)
        for row in after[table]:
            for column, value in defaults.items():
                assert row[column] == value, (table, column, row[column])


def moved_content_types(rows: dict[str, list[dict]]) -> dict[str, list[dict]]:
    """``rows`` as they should read after the move: only the labels change."""
    types = [
        {**row, "app_label": "viewcounts"}
        if row["app_label"] == "articles" and row["model"] in MOVED_MODELS
        else row
        for row in rows["django_content_type"]
    ]
    return rows | {"django_content_type": types}


def fill_old_database(apps) -> dict:
    """Stories, bylines, tags, comments and view counts as the old code stored
    them, and a group holding view-count permissions."""
    now = timezone.now()
    today = timezone.localdate()
    Section = apps.get_model("articles", "Section")
    Author = apps.get_model("articles", "Author")
    Article = apps.get_model("articles", "Article")
    Byline = apps.get_model("articles", "Byline")
    Tag = apps.get_model("taggit", "Tag")
    TaggedArticle = apps.get_model("articles", "TaggedArticle")
    Comment = apps.get_model("comments", "Comment")
    DailyViews = apps.get_model("articles", "ArticleDailyViews")
    ViewTotal = apps.get_model("articles", "ArticleViewTotal")
    User = apps.get_model("auth", "User")
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    ContentType = apps.get_model("contenttypes", "ContentType")

    news = Section.objects.create(name="News", slug="news", order=1)
    culture = Section.objects.create(name="Culture", slug="culture", order=2)
    ada = Author.objects.create(name="Ada Reporter", slug="ada", job_title="Reporter")
    ben = Author.objects.create(name="Ben Lens", slug="ben")
    cleo = Author.objects.create(name="Cléo Éditrice", slug="cléo")

    flood = Article.objects.create(
        headline="The river rises",
        slug="the-river-rises",
        dek="Three villages evacuated.",
        body="<p>The water came at night.</p>",
        section=news,
        status="published",
        published_at=now - timedelta(days=2),
        is_top_story=True,
    )
    opera = Article.objects.create(
        headline="An opera returns",
        slug="an-opera-returns",
        body="<p>After forty years.</p>",
        section=culture,
        status="published",
        published_at=now - timedelta(days=10),
        comments_enabled=False,
    )
    draft = Article.objects.create(
        headline="Budget talks (draft)", slug="budget-talks", section=news
    )
    Byline.objects.create(article=flood, author=ada, role="by", order=0)
    Byline.objects.create(article=flood, author=ben, role="photos", order=1)
    Byline.objects.create(article=flood, author=cleo, role="edited", order=2)
    Byline.objects.create(article=opera, author=cleo, role="by", order=0)
    Byline.objects.create(article=draft, author=ada, role="reporting", order=0)

    weather = Tag.objects.create(name="Weather", slug="weather")
    music = Tag.objects.create(name="Music", slug="music")
    TaggedArticle.objects.create(content_object=flood, tag=weather)
    TaggedArticle.objects.create(content_object=opera, tag=music)
    TaggedArticle.objects.create(content_object=draft, tag=weather)

    reader = User.objects.create(username="reader", email="reader@example.org")
    first = Comment.objects.create(
        article=flood,
        name="Dana",
        body="Stay safe, everyone.",
        status="approved",
        user=reader,
        fingerprint="f" * 64,
        ip_hash="a" * 64,
    )
    reply = Comment.objects.create(
        article=flood,
        parent=first,
        depth=2,
        name="Eli",
        body="Thank you.",
        status="approved",
        fingerprint="e" * 64,
    )
    Comment.objects.create(
        article=flood,
        parent=reply,
        depth=3,
        name="Fay",
        body="Is the bridge open?",
        status="pending",
        held_reason="premoderation",
        report_count=1,
    )
    Comment.objects.create(
        article=opera, name="Gus", body="Buy now!", status="spam", held_reason="links"
    )

    # Days ago, views: 72 in the last week for the flood, 65 for the opera.
    daily = {flood: [(0, 40), (1, 25), (3, 7), (20, 100)], opera: [(0, 5), (2, 60)]}
    for article, days in daily.items():
        for ago, views in days:
            DailyViews.objects.create(
                article=article, day=today - timedelta(days=ago), views=views
            )
    ViewTotal.objects.create(article=flood, views=172)
    ViewTotal.objects.create(article=opera, views=65)
    apps.get_model("articles", "FlushBatch").objects.create(batch_id="batch-0001")
    apps.get_model("articles", "RecentView").objects.create(
        key="k" * 80, expires_at=now + timedelta(minutes=30)
    )
    apps.get_model("articles", "ArticleRedirect").objects.create(
        old_path="/2026/01/02/river-rising/", article=flood
    )
    apps.get_model("articles", "ArticleRevision").objects.create(
        article=flood, summary="First version", data={"headline": "River rising"}
    )

    # The step back took the moved models' content types back to articles
    # (models viewcounts added since keep theirs).
    assert not ContentType.objects.filter(
        app_label="viewcounts", model__in=MOVED_MODELS
    ).exists()
    editors = Group.objects.create(name="Audience desk")
    for codename, model in [
        ("view_articleviewtotal", "articleviewtotal"),
        ("change_articledailyviews", "articledailyviews"),
    ]:
        content_type, _ = ContentType.objects.get_or_create(
            app_label="articles", model=model
        )
        permission, _ = Permission.objects.get_or_create(
            content_type=content_type, codename=codename, defaults={"name": codename}
        )
        editors.permissions.add(permission)
    analyst = User.objects.create(username="analyst", is_staff=True)
    analyst.groups.add(editors)
    return {
        "flood": flood.pk,
        "opera": opera.pk,
        "draft": draft.pk,
        "view_total_type": ContentType.objects.get(model="articleviewtotal").pk,
    }


def check_today_s_code_reads_the_old_data(ids: dict) -> None:
    flood = Article.objects.get(pk=ids["flood"])
    opera = Article.objects.get(pk=ids["opera"])
    assert list(Article.objects.published()) == [flood, opera]
    assert not Article.objects.published().filter(pk=ids["draft"]).exists()

    bylines = [(b.author.slug, b.role) for b in flood.bylines.order_by("order")]
    assert bylines == [("ada", "by"), ("ben", "photos"), ("cléo", "edited")]
    assert sorted(flood.tags.names()) == ["Weather"]
    assert list(Article.objects.filter(tags__slug="weather").order_by("pk")) == [
        flood,
        Article.objects.get(pk=ids["draft"]),
    ]

    approved = Comment.objects.filter(article=flood).approved()
    assert [c.name for c in approved] == ["Dana", "Eli"]
    pending = Comment.objects.pending().get()
    assert (pending.name, pending.depth, pending.parent.name) == ("Fay", 3, "Eli")
    assert pending.parent.parent.name == "Dana"
    assert Comment.objects.spam().get().article == opera

    assert stats.view_count(flood) == 172
    assert stats.view_count(opera) == 65
    assert [a.period_views for a in stats.most_viewed("7d")] == [72, 65]
    assert [a.pk for a in stats.most_viewed("today")] == [flood.pk, opera.pk]
    assert [a.pk for a in stats.most_viewed("30d")] == [flood.pk, opera.pk]
    assert sum(views for _, views in stats.daily_views(flood)) == 172
    annotated = stats.with_view_counts(Article.objects.filter(pk=flood.pk)).get()
    assert (annotated.total_views, annotated.views_7d) == (172, 72)
    assert FlushBatch.objects.filter(batch_id="batch-0001").exists()

    assert ArticleRedirect.objects.get().article == flood
    assert ArticleRevision.objects.get().data == {"headline": "River rising"}

    content_type = ContentType.objects.get_for_model(ArticleViewTotal)
    assert content_type.pk == ids["view_total_type"]
    assert content_type.app_label == "viewcounts"
    assert not ContentType.objects.filter(
        app_label="articles", model__in=["articleviewtotal", "articledailyviews"]
    ).exists()
    analyst = User.objects.get(username="analyst")
    assert analyst.has_perm("viewcounts.view_articleviewtotal")
    assert analyst.has_perm("viewcounts.change_articledailyviews")
    assert set(Group.objects.get(name="Audience desk").permissions.all()) == {
        Permission.objects.get(codename="view_articleviewtotal"),
        Permission.objects.get(codename="change_articledailyviews"),
    }


def check_the_tables_are_the_old_ones() -> None:
    tables = set(connection.introspection.table_names())
    assert set(MOVED_TABLES) <= tables
    # The moved models kept their tables: no viewcounts_ copy of any of them.
    assert not {f"viewcounts_{model}" for model in MOVED_MODELS} & tables
    with connection.cursor() as cursor:
        constraints = connection.introspection.get_constraints(
            cursor, "articles_articledailyviews"
        )
    assert constraints["article_daily_views_unique"]["unique"]
    assert constraints["article_daily_views_day_idx"]["index"]


def check_no_migration_is_missing() -> None:
    """What ``makemigrations --check`` asks: the models match the migrations."""
    loader = MigrationLoader(None, ignore_no_migrations=True)
    changes = MigrationAutodetector(
        loader.project_state(),
        ProjectState.from_apps(current_apps),
        NonInteractiveMigrationQuestioner(specified_apps=(), dry_run=True),
    ).changes(graph=loader.graph)
    assert changes == {}


def check_ids_continue_after_the_old_rows(ids: dict) -> None:
    """The tables kept their sequences (PostgreSQL) and counters (SQLite)."""
    newest = ArticleDailyViews.objects.order_by("-pk").first()
    added = ArticleDailyViews.objects.create(
        article_id=ids["draft"], day=timezone.localdate(), views=1
    )
    assert added.pk > newest.pk
    added.delete()
    batch = FlushBatch.objects.create(batch_id="batch-after-upgrade")
    assert batch.pk > FlushBatch.objects.get(batch_id="batch-0001").pk
    batch.delete()
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT pg_get_serial_sequence('articles_articledailyviews', 'id')"
            )
            assert cursor.fetchone()[0] == "public.articles_articledailyviews_id_seq"


def use_today_s_code_on_the_old_database(ids: dict) -> int:
    emit_post_migrate_signal(0, False, connection.alias)
    waiting = ContentType.objects.get(app_label="viewcounts", model="articleviewtotal")
    late = User.objects.create(username="late", is_staff=True)
    late.user_permissions.add(
        Permission.objects.get(content_type=waiting, codename="view_articleviewtotal")
    )
    LogEntry.objects.create(
        user=late,
        content_type=waiting,
        object_id=str(ids["flood"]),
        object_repr=f"{ids['flood']}: 172",
        action_flag=CHANGE,
    )
    return late.pk


def test_an_old_database_keeps_every_row_through_the_upgrade_and_back():
    try:
        old = migrate(old_targets())
        assert "articles_articleviewtotal" in connection.introspection.table_names()
        ids = fill_old_database(old)
        before = snapshot(old, KEPT)

        new = migrate(latest())
        after = snapshot(current_apps, KEPT.values())
        assert after == snapshot(new, KEPT.values())
        assert old_columns(after, before) == moved_content_types(before)
        check_new_columns_have_their_defaults(after, before)
        check_today_s_code_reads_the_old_data(ids)
        check_the_tables_are_the_old_ones()
        check_no_migration_is_missing()
        check_ids_continue_after_the_old_rows(ids)

        # And back: the same rows, the content types in articles again.
        old = migrate(old_targets())
        assert snapshot(old, KEPT) == before
        assert ContentType.objects.get(pk=ids["view_total_type"]).app_label == (
            "articles"
        )
        # Meanwhile today's code ran on the stepped-back database and made
        # viewcounts' content types (a flush's post_migrate, the admin's
        # history), and someone was granted one of their permissions.
        late = use_today_s_code_on_the_old_database(ids)

        migrate(latest())
        check_today_s_code_reads_the_old_data(ids)
        check_the_tables_are_the_old_ones()
        assert User.objects.get(pk=late).has_perm("viewcounts.view_articleviewtotal")
        assert LogEntry.objects.get().content_type_id == ids["view_total_type"]
    finally:
        migrate(latest())
