"""Shared checks for the bad-input battery: pages are parsed, never grepped.

``assert_inert_html`` is the one definition of "this page runs nothing a reader
or editor typed": the only scripts are our static files or JSON data blocks that
parse as JSON, no element carries an ``on*`` or ``style`` attribute, no
dangerous element exists, and no link, image or form points at ``javascript:``.
"""

import json
import re
import xml.etree.ElementTree as ET

import html5lib
import pytest

# Script, markup and template payloads, each meant to escape a different context:
# HTML text, attribute values, <title>, JSON-LD, XML (feeds, sitemaps), URLs.
PAYLOADS = [
    "<script>alert(1)</script>",
    "<img src=x onerror=alert(1)>",
    '"><img src=x onerror=1>',
    "'><svg onload=alert(1)>",
    "</script><script>alert(1)</script>",
    '<a href="jav&#x09;ascript:alert(1)">x</a>',
    "javascript:alert(1)",
    "<iframe src=//evil.example/></iframe>",
    "<style>*{display:none}</style>",
    "<body onload=alert(1)>",
    "]]><script>alert(1)</script><![CDATA[",
    "<!--<script>alert(1)//-->",
    "{{ 7|add:7 }}{% debug %}",
    "\u202e<script>alert(1)</script>\u200f",
    "<math><mi//xlink:href=javascript:alert(1)>x",
    "<<script>script>alert(1)<</script>/script>",
]
PAYLOAD_IDS = [f"p{i:02d}" for i in range(len(PAYLOADS))]

FORBIDDEN_TAGS = {
    "iframe",
    "object",
    "embed",
    "svg",
    "math",
    "base",
    "frame",
    "frameset",
    "applet",
    "template",
}
URL_ATTRIBUTES = {"href", "src", "action", "formaction", "xlink:href", "poster"}
_CONTROL = re.compile(r"[\x00-\x20]+")


def parse_html(content: bytes | str):
    if isinstance(content, bytes):
        content = content.decode()
    return html5lib.parse(content, treebuilder="etree", namespaceHTMLElements=False)


def _local(tag) -> str:
    return tag.rsplit("}", 1)[-1] if isinstance(tag, str) else ""


def inert_problems(doc, *, admin=False) -> list[str]:
    """Every reason ``doc`` could run markup a user supplied (empty: inert)."""
    problems = []
    for el in doc.iter():
        tag = _local(el.tag)
        if tag == "script":
            src = el.get("src")
            kind = (el.get("type") or "").lower()
            if src is not None:
                # Static files and the JavaScript catalogue (newsroom/locale.py).
                ours = ("/static/", "/jsi18n/")
                ours += ("/admin/jsi18n/",) if admin else ()
                if not src.startswith(ours):
                    problems.append(f"script from {src!r}")
            elif kind == "importmap":
                # The admin's editor maps module names to our static files.
                try:
                    targets = json.loads(el.text or "").get("imports", {}).values()
                except (ValueError, AttributeError):
                    targets = ["not JSON"]
                problems += [
                    f"importmap to {t!r}"
                    for t in targets
                    if not t.startswith("/static/")
                ]
            elif kind in {"application/ld+json", "application/json"}:
                try:
                    json.loads(el.text or "")
                except ValueError:
                    problems.append(f"data script is not JSON: {el.text!r:.80}")
            else:
                problems.append(f"inline script: {el.text!r:.80}")
        # The admin draws its own icons as inline SVG (still checked for on*).
        if tag in FORBIDDEN_TAGS and not (admin and tag in {"svg", "path"}):
            problems.append(f"<{tag}> element")
        if tag == "style" and not admin:
            problems.append("<style> element")
        if tag == "img" and el.get("src") == "x":
            problems.append("injected <img src=x>")
        for name, value in el.attrib.items():
            lname = _local(name).lower()
            if lname.startswith("on"):
                problems.append(f"{lname}= on <{tag}>")
            if lname == "style" and not admin:
                problems.append(f"style= on <{tag}>")
            if lname in URL_ATTRIBUTES or name.endswith("}href"):
                scheme = _CONTROL.sub("", value).lower()
                if scheme.startswith(("javascript:", "vbscript:", "data:text")):
                    problems.append(f"{lname}={value!r} on <{tag}>")
    return problems


def assert_inert_html(response, *, admin=False):
    assert response.status_code < 500
    assert response["Content-Type"].startswith("text/html")
    doc = parse_html(response.content)
    problems = inert_problems(doc, admin=admin)
    assert problems == []
    return doc


def assert_inert_xml(response):
    """Well-formed XML, and every HTML payload inside it (descriptions, content)
    is itself inert once a feed reader parses it as HTML."""
    assert response.status_code == 200
    root = ET.fromstring(response.content)
    problems = []
    for el in root.iter():
        if _local(el.tag) == "script":
            problems.append("<script> element in XML")
        if _local(el.tag) in {"description", "encoded", "content", "summary"} and (
            el.text
        ):
            problems += inert_problems(parse_html(el.text))
    assert problems == []
    return root


def text_of(doc) -> str:
    return "".join(doc.itertext())


@pytest.fixture
def staff_client(client):
    from tests.factories import make_user

    client.force_login(make_user(superuser=True, staff=True))
    return client
