"""A story's translations are part of what the API shows of it.

When a story changes (published, edited, taken down), the other language
versions that share its ``translation_key`` list it: this tells the page
cache so, through ``articles.signals.content_changed`` for each of them
(sender: ``Translation``), as the corrections and live apps do for what they
add to a story. Their story pages and API answers are retired with it.
"""

from articles import signals
from articles.models import Article


class Translation:
    """The sender: a story's list of translations changed."""


def retire_translations(sender, instance=None, **kwargs):
    if sender is not Article or not isinstance(instance, Article):
        return
    if instance.translation_key is None:
        return
    others = Article.objects.filter(translation_key=instance.translation_key).exclude(
        pk=instance.pk
    )
    for other in others.only("pk", "translation_key"):
        signals.content_changed.send(sender=Translation, instance=other)
