import re
import time
import unicodedata

from django import forms
from django.core import signing
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from comments import conf, textfold
from comments.models import Comment

TOKEN_SALT = "comments.form-timestamp"
BODY_MAX_LENGTH = 5000
READER_ID = re.compile(r"[0-9a-f]{1,64}")


def issue_token(article_pk: int, now: float | None = None, reader: str = "") -> str:
    """A signed note of when the form was shown, for which story and whom.

    ``reader`` tells apart readers who share one address (an office, a
    school): a keyed hash of their browser's CSRF secret (``views.reader_id``),
    the same in every token that browser is given.
    """
    now = time.time() if now is None else now
    payload = {"a": article_pk, "t": int(now)}
    if reader:
        payload["r"] = reader
    return signing.dumps(payload, salt=TOKEN_SALT)


def plain_text(value: str) -> str:
    """NFC, and no control characters except line breaks and tabs."""
    value = unicodedata.normalize("NFC", value).replace("\r\n", "\n")
    return "".join(
        ch for ch in value if ch in "\n\t" or unicodedata.category(ch) != "Cc"
    )


class CommentForm(forms.Form):
    name = forms.CharField(label=_("Display name"), max_length=100)
    email = forms.EmailField(
        label=_("Email (optional, never shown)"), required=False, max_length=254
    )
    # No max_length, so no maxlength attribute: a browser would cut a pasted
    # text silently. The length is checked in clean_body(), the text kept, and
    # the page's script counts down (the hint below the field says the limit).
    body = forms.CharField(
        label=_("Comment"),
        widget=forms.Textarea(
            attrs={
                "aria-describedby": "id_body_error id_body_count",
                "data-max-length": BODY_MAX_LENGTH,
            }
        ),
    )
    # Left empty by people, whose browsers never show it; bots fill it in.
    website = forms.CharField(required=False, max_length=200)
    parent = forms.IntegerField(required=False, widget=forms.HiddenInput)
    issued = forms.CharField(widget=forms.HiddenInput, max_length=300)

    body_limit_text = f"{BODY_MAX_LENGTH:,}"

    def __init__(self, *args, article, now: float | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.article = article
        self.now = time.time() if now is None else now
        self.seconds_since_form = 0.0
        self.parent_comment = None
        self.reader = ""

    @property
    def is_bot(self) -> bool:
        return bool(self.data.get("website"))

    def clean_name(self):
        # One line only: a CR or LF in a name must not reach headers or logs.
        name = " ".join(plain_text(self.cleaned_data["name"]).split())
        if not name:
            raise forms.ValidationError(_("Please give a display name."))
        # Stored as typed, but it must show as what it is: something readable,
        # in the order it was written.
        if textfold.has_bidi_formatting(name):
            raise forms.ValidationError(
                _(
                    "Please remove the text-direction control characters from "
                    "your display name."
                )
            )
        if not textfold.has_visible_letter(name):
            raise forms.ValidationError(
                _("Please use a display name with at least one letter.")
            )
        return name

    def clean_body(self):
        body = plain_text(self.cleaned_data["body"]).strip()
        if not body:
            raise forms.ValidationError(_("Please write a comment."))
        if len(body) > BODY_MAX_LENGTH:
            raise forms.ValidationError(
                gettext(
                    "Please keep your comment to %(limit)s characters: it has "
                    "%(length)s. Your text is kept, so you can shorten it."
                )
                % {"limit": f"{BODY_MAX_LENGTH:,}", "length": f"{len(body):,}"}
            )
        return body

    def clean_parent(self):
        pk = self.cleaned_data.get("parent")
        if pk is None:
            return None
        parent = (
            Comment.objects.approved()
            .filter(article=self.article, pk=pk)
            .only("pk", "parent_id", "depth")
            .first()
        )
        if parent is None:
            raise forms.ValidationError(
                _("You can only reply to a published comment on this story.")
            )
        self.parent_comment = parent
        return pk

    def clean_issued(self):
        try:
            data = signing.loads(self.cleaned_data["issued"], salt=TOKEN_SALT)
        except signing.BadSignature:
            data = None
        if not isinstance(data, dict) or data.get("a") != self.article.pk:
            raise forms.ValidationError(
                _("We could not check this form. Please post again; your text is kept.")
            )
        age = self.now - data.get("t", 0)
        if age > conf.settings.COMMENTS_MAX_FORM_AGE:
            raise forms.ValidationError(
                _("This form is too old. Please post again; your text is kept.")
            )
        self.seconds_since_form = max(0.0, age)
        reader = data.get("r")
        if isinstance(reader, str) and READER_ID.fullmatch(reader):
            self.reader = reader
        return self.cleaned_data["issued"]
