from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class CommentsConfig(AppConfig):
    default_auto_field = "django.db.models.BigAutoField"
    name = "comments"
    verbose_name = _("Reader comments")

    def ready(self):
        from articles import fragments
        from comments import roles, signal_handlers, signals
        from comments.models import Comment
        from comments.templatetags import comment_tags

        # Counts the page cache stitches into cached pages (articles.fragments).
        fragments.register("card_comments", comment_tags.render_card_comments)
        fragments.register("most_commented", comment_tags.render_most_commented)

        post_save.connect(
            signal_handlers.purge_comment_caches,
            sender=Comment,
            dispatch_uid="comments_purge_on_save",
        )
        post_delete.connect(
            signal_handlers.purge_comment_caches,
            sender=Comment,
            dispatch_uid="comments_purge_on_delete",
        )
        # The queue alert (comments.alerts): whenever the queue may have moved.
        post_save.connect(
            signal_handlers.queue_changed,
            sender=Comment,
            dispatch_uid="comments_queue_alert",
        )
        signals.comments_changed.connect(
            signal_handlers.queue_changed, dispatch_uid="comments_queue_alert_bulk"
        )
        # Editors moderate (comments.roles); the data migration creates the
        # Moderator group; this puts both back after a database flush (which
        # re-creates permissions but not groups).
        roles.extend_editor_role()
        post_migrate.connect(
            roles.ensure_moderator_group_after_migrate,
            sender=self,
            dispatch_uid="comments_moderator_group",
        )
