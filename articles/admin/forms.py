"""The story change form."""

from django import forms

from articles import workflow
from articles.models import Article


class ArticleForm(forms.ModelForm):
    """Applies the pressed workflow button to the form's status and time.

    Done in clean(), before the model's own validation runs, so a story is
    validated as it will be saved (e.g. alt text required to publish).
    """

    workflow_step = None  # set per request by ArticleAdmin.get_form
    workflow_applied = False
    # Set by ArticleAdmin when the media storage refused this very POST's
    # picture (services.MediaUnavailable): the form shows it as its error.
    media_error = None

    def clean(self):
        cleaned = super().clean()
        if self.media_error:
            field = "lead_image" if "lead_image" in self.fields else None
            self.add_error(field, self.media_error)
        step = self.workflow_step
        if step is None:
            return cleaned
        if step == workflow.SUBMIT_FOR_REVIEW and self.instance.pk:
            if self.instance.status not in (
                Article.Status.DRAFT,
                Article.Status.REVIEW,
            ):
                self.add_error(None, "Only a draft can be submitted for review.")
            return cleaned
        if step in workflow.EDITOR_BUTTONS and "status" in self.fields:
            probe = Article(
                status=cleaned.get("status") or self.instance.status,
                published_at=cleaned.get("published_at"),
            )
            try:
                workflow.apply_step(probe, step)
            except workflow.WorkflowError as error:
                self.add_error("published_at", str(error))
            else:
                cleaned["status"] = probe.status
                cleaned["published_at"] = probe.published_at
                self.workflow_applied = True
        return cleaned
