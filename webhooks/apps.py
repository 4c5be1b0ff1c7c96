from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class WebhooksConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "webhooks"
    verbose_name = _("Webhooks")

    def ready(self):
        from django.db.models.signals import post_save, pre_delete

        from articles import feeds
        from articles import signals as story_signals
        from articles.models import Article
        from comments import signals as comment_signals
        from comments.models import Comment
        from corrections import signals as correction_signals
        from live import signals as live_signals
        from webhooks import signal_handlers as handlers
        from webhooks import websub

        # WebSub: the hub in every feed's head (articles' hook).
        feeds.register_feed_links(websub.feed_links)
        for signal, handler in [
            (story_signals.story_saved, handlers.story_saved),
            (story_signals.story_published, handlers.story_published),
            (story_signals.story_unpublished, handlers.story_unpublished),
            (story_signals.story_scheduled, handlers.story_scheduled),
            (story_signals.stories_changed_in_bulk, handlers.stories_changed_in_bulk),
            (
                story_signals.pending_changes_published,
                handlers.pending_changes_published,
            ),
            (correction_signals.correction_added, handlers.correction_added),
            (live_signals.update_posted, handlers.update_posted),
            (comment_signals.comment_moderated, handlers.comment_moderated),
        ]:
            signal.connect(handler, dispatch_uid=f"webhooks_{handler.__name__}")
        pre_delete.connect(
            handlers.story_deleted, sender=Article, dispatch_uid="webhooks_deleted"
        )
        post_save.connect(
            handlers.comment_saved, sender=Comment, dispatch_uid="webhooks_comment"
        )
