from tests.factories import make_article, make_draft


def test_published_queryset_excludes_drafts_and_future(db):
    from datetime import timedelta

    from django.utils import timezone

    from articles.models import Article

    live = make_article()
    make_draft()
    make_article(published_at=timezone.now() + timedelta(hours=1))
    assert list(Article.objects.published()) == [live]
