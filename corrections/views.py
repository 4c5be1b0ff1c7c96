from django.views.generic import ListView

from articles import shown
from articles.views import BoundedPaginationMixin
from corrections.models import Correction


class CorrectionListView(BoundedPaginationMixin, ListView):
    """Every note on a live story, newest first, with its story's headline.

    Template ``corrections/correction_list.html``; context ``notes``.
    """

    template_name = "corrections/correction_list.html"
    context_object_name = "notes"
    paginate_by = 30

    def get_queryset(self):
        # Notes of live stories only: every change of a live story moves
        # list:latest (corrections/signal_handlers.py).
        shown.listing("corrections")
        shown.listing("latest")
        return Correction.objects.public().newest_first().select_related("story")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shown.stories({note.story_id for note in context["notes"]})
        return context
