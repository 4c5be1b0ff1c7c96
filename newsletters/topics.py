"""What a reader can subscribe to, named by a short key: "digest",
"breaking", "section:<id>", "tag:<id>", "author:<id>"."""

from dataclasses import dataclass

from django.utils.translation import gettext as _
from taggit.models import Tag

from articles.models import Author, Section
from newsletters.models import Subscription

DIGEST = "digest"
BREAKING = "breaking"
MODELS = {
    Subscription.Kind.SECTION: Section,
    Subscription.Kind.TAG: Tag,
    Subscription.Kind.AUTHOR: Author,
}
# At most this many topics in one sign-up or one manage form.
MAX_TOPICS = 50


@dataclass(frozen=True)
class Topic:
    key: str
    kind: str
    target: object = None  # the Section, Tag or Author

    @property
    def label(self) -> str:
        if self.kind == Subscription.Kind.DIGEST:
            return _("The daily digest")
        if self.kind == Subscription.Kind.BREAKING:
            return _("Breaking-news alerts")
        if self.kind == Subscription.Kind.SECTION:
            return _("New stories in %(name)s") % {"name": self.target.name}
        if self.kind == Subscription.Kind.TAG:
            return _("New stories about %(name)s") % {"name": self.target.name}
        return _("New stories by %(name)s") % {"name": self.target.name}

    def fields(self) -> dict:
        """The subscription row's fields for this topic."""
        fields = {"kind": self.kind, "section": None, "tag": None, "author": None}
        if self.target is not None:
            fields[self.kind] = self.target
        return fields


def key_for(obj) -> str:
    for kind, model in MODELS.items():
        if isinstance(obj, model):
            return f"{kind}:{obj.pk}"
    raise TypeError(obj)


def parse(key: str) -> tuple[str, int | None] | None:
    """("section", 3) for "section:3"; None for anything else."""
    if key in (DIGEST, BREAKING):
        return key, None
    kind, _sep, pk = key.partition(":")
    if kind in MODELS and pk.isdigit() and len(pk) <= 18:
        return kind, int(pk)
    return None


def resolve(keys) -> dict[str, Topic]:
    """The topics the keys name that exist, by key: one query per kind."""
    wanted: dict[str, set[int]] = {}
    topics = {}
    for key in keys:
        parsed = parse(key)
        if parsed is None:
            continue
        kind, pk = parsed
        if pk is None:
            topics[key] = Topic(key, kind)
        else:
            wanted.setdefault(kind, set()).add(pk)
    for kind, pks in wanted.items():
        for obj in MODELS[kind].objects.filter(pk__in=pks):
            key = f"{kind}:{obj.pk}"
            topics[key] = Topic(key, kind, obj)
    return {key: topics[key] for key in keys if key in topics}


def for_subscription(subscription: Subscription) -> Topic:
    return Topic(subscription.topic, subscription.kind, subscription.target)


def offered(extra_keys=()) -> list[Topic]:
    """The sign-up page's choices: the digest, alerts, every section, and
    the tag or author the reader came from (``extra_keys``)."""
    topics = [Topic(DIGEST, DIGEST), Topic(BREAKING, BREAKING)]
    topics += [
        Topic(f"section:{section.pk}", Subscription.Kind.SECTION, section)
        for section in Section.objects.order_by("order", "name")
    ]
    known = {topic.key for topic in topics}
    topics += [
        topic
        for key, topic in resolve([k for k in extra_keys if k not in known]).items()
    ]
    return topics
