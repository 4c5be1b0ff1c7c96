"""``{% newsletter_signup section %}``: the sign-up block under a section,
tag or author page. No queries, and nothing personal: the page stays
cacheable (the CSRF token is fetched by the page's script)."""

from django import template

from newsletters import topics

register = template.Library()


@register.inclusion_tag("newsletters/tags/signup.html")
def newsletter_signup(target):
    return {"key": topics.key_for(target), "name": str(target)}
