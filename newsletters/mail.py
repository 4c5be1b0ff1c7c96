"""Building newsletter e-mails: plain text and HTML (tables, styles inlined
at send time by css-inline, a dark-mode ``<style>`` kept in the head), with
the one-click unsubscribe headers of RFC 8058 on every message."""

from urllib.parse import quote, urlsplit

import css_inline
from django.conf import settings
from django.core.mail import EmailMultiAlternatives
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import translation

from newsletters import conf, tokens
from newsletters.models import Issue, Subscriber

# Styles are inlined into each element; a <style data-css-inline="keep">
# (the dark-mode media query) stays in the head. Nothing is fetched.
INLINER = css_inline.CSSInliner(load_remote_stylesheets=False, keep_link_tags=False)


def absolute(path: str) -> str:
    return conf.settings.NEWSLETTER_BASE_URL.rstrip("/") + path


def list_id(list_name: str) -> str:
    host = urlsplit(conf.settings.NEWSLETTER_BASE_URL).hostname or "localhost"
    return f"<{list_name}.newsletters.{host}>"


def links(subscriber: Subscriber | None, list_name: str) -> dict:
    """The unsubscribe and manage addresses for one recipient. A test send
    (no subscriber) links to the sign-up page instead."""
    if subscriber is None:
        page = absolute(reverse("newsletters:index"))
        return {"unsubscribe_url": page, "manage_url": page, "unsubscribe_token": ""}
    token = tokens.make(tokens.UNSUBSCRIBE, subscriber, l=list_name)
    manage = tokens.make(tokens.MANAGE, subscriber)
    return {
        "unsubscribe_url": absolute(reverse("newsletters:unsubscribe", args=[token])),
        "manage_url": absolute(reverse("newsletters:manage", args=[manage])),
        "unsubscribe_token": token,
    }


def unsubscribe_headers(context: dict, list_name: str) -> dict:
    mailto = conf.settings.NEWSLETTER_UNSUBSCRIBE_MAILTO
    targets = [f"<{context['unsubscribe_url']}>"]
    if mailto:
        subject = quote(f"unsubscribe {context['unsubscribe_token']}".strip())
        targets.append(f"<mailto:{mailto}?subject={subject}>")
    return {
        "List-Unsubscribe": ", ".join(targets),
        "List-Unsubscribe-Post": "List-Unsubscribe=One-Click",
        "List-Id": list_id(list_name),
    }


def render(template: str, context: dict) -> tuple[str, str]:
    """The plain text and the HTML (styles inlined) of ``template``."""
    text = render_to_string(f"newsletters/email/{template}.txt", context)
    html = render_to_string(f"newsletters/email/{template}.html", context)
    return text, INLINER.inline(html)


def message(
    template: str,
    context: dict,
    *,
    to: str,
    subject: str,
    subscriber: Subscriber | None,
    list_name: str,
    connection=None,
) -> EmailMultiAlternatives:
    """One e-mail to ``to``, in the site's language."""
    with translation.override(settings.LANGUAGE_CODE):
        context = {
            "newsroom_name": getattr(settings, "NEWSROOM_NAME", "Newsroom"),
            "site_url": absolute("/"),
            "subject": subject,
            **links(subscriber, list_name),
            **context,
        }
        text, html = render(template, context)
    email = EmailMultiAlternatives(
        subject=subject,
        body=text,
        from_email=conf.settings.NEWSLETTER_FROM_EMAIL,
        to=[to],
        headers=unsubscribe_headers(context, list_name),
        connection=connection,
    )
    email.attach_alternative(html, "text/html")
    return email


def story_entry(story) -> dict:
    return {
        "headline": story.headline,
        "dek": story.dek,
        "url": absolute(story.get_absolute_url()),
        "section": story.section.name,
        "published_at": story.published_at,
    }


def pixel_url(issue: Issue) -> str:
    if not conf.settings.NEWSLETTER_TRACKING_PIXEL:
        return ""
    return absolute(reverse("newsletters:opened", args=[tokens.issue_token(issue)]))
