"""What the API answers, as pydantic schemas: django-ninja turns them into
the OpenAPI document (``/api/v1/openapi.json``) and checks every answer
against them."""

from datetime import datetime

from ninja import Schema
from pydantic import Field


class Error(Schema):
    error: str = Field(description="A stable code: not_found, invalid, ...")
    message: str = Field(description="What went wrong, in the site's language.")
    fields: dict[str, list[str]] | None = Field(
        None, description="Per parameter, what is wrong with it (invalid only)."
    )


class SectionOut(Schema):
    id: int
    name: str
    slug: str
    description: str
    url: str
    api_url: str


class SectionRef(Schema):
    id: int
    name: str
    slug: str
    url: str


class TagRef(Schema):
    id: int
    name: str
    slug: str
    url: str


class TagOut(TagRef):
    story_count: int
    api_url: str


class Rendition(Schema):
    width: int
    format: str = Field(description="webp or jpeg")
    url: str


class Picture(Schema):
    url: str = Field(description="The fallback JPEG, as the site's <img> has it.")
    width: int
    height: int
    original_width: int
    original_height: int
    alt: str
    caption: str
    credit: str
    renditions: list[Rendition]


class AuthorRef(Schema):
    id: int
    name: str
    slug: str
    job_title: str
    url: str


class AuthorOut(AuthorRef):
    bio: str
    photo: Picture | None
    api_url: str


class BylineOut(Schema):
    role: str = Field(description="by, reporting, translated, edited, photos")
    role_label: str
    author: AuthorRef


class StorySummary(Schema):
    id: int
    url: str
    api_url: str
    headline: str
    slug: str
    dek: str
    language: str
    section: SectionRef
    published_at: datetime
    updated_at: datetime
    is_top_story: bool
    bylines: list[BylineOut]
    tags: list[TagRef]
    lead_image: Picture | None


class CorrectionOut(Schema):
    id: int
    kind: str = Field(description="correction, clarification, editors_note")
    kind_label: str
    text: str
    placement: str
    published_at: datetime


class LiveUpdateOut(Schema):
    id: int
    headline: str
    text: str
    pinned: bool
    published_at: datetime
    updated_at: datetime
    author: AuthorRef | None
    picture: Picture | None
    url: str


class LiveOut(Schema):
    started_at: datetime
    ended_at: datetime | None
    is_ended: bool
    summary: str
    updates: list[LiveUpdateOut] = Field(
        description="The newest updates first, as many as the story page shows."
    )


class TranslationOut(Schema):
    id: int
    language: str
    headline: str
    url: str
    api_url: str


class StoryDetail(StorySummary):
    body_html: str = Field(description="The body as the site sanitises it.")
    seo_headline: str
    seo_description: str
    comments_enabled: bool
    comment_count: int
    corrections: list[CorrectionOut]
    live: LiveOut | None
    translations: list[TranslationOut]


class StoryPage(Schema):
    items: list[StorySummary]
    next_cursor: str | None = Field(description="Pass as ?cursor= for the next page.")
    next: str | None = Field(description="The next page's address.")


class SectionList(Schema):
    items: list[SectionOut]


class TagPage(Schema):
    items: list[TagOut]
    next_cursor: str | None
    next: str | None


class AuthorPage(Schema):
    items: list[AuthorOut]
    next_cursor: str | None
    next: str | None


class SearchPage(Schema):
    query: str
    items: list[StorySummary]
    next_cursor: str | None
    next: str | None
    limited_to: int | None = Field(
        description="Only the newest this many matches were ranked, when more."
    )


class RankedStory(Schema):
    rank: int
    count: int = Field(description="Views, or approved comments, in the period.")
    story: StorySummary


class RankingOut(Schema):
    period: str
    items: list[RankedStory]
