from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EditingConfig(AppConfig):
    """Working on a story in the admin: autosaves and soft edit locks.

    The story form (``templates/admin/articles/article/change_form.html``)
    includes this app's panel; ``articles`` never imports it. A saved story
    drops its editor's autosave (``articles.signals.story_saved``).
    """

    default_auto_field = "django.db.models.BigAutoField"
    name = "editing"
    verbose_name = _("Editing")

    def ready(self):
        from articles import signals as story_signals
        from editing import signal_handlers

        story_signals.story_saved.connect(
            signal_handlers.story_saved, dispatch_uid="editing_story_saved"
        )
