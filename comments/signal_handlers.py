"""Cache purges only: counts shown to readers must follow moderation at once."""

from comments.models import purge_most_commented


def purge_comment_caches(sender, **kwargs):
    purge_most_commented()
