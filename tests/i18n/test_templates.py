"""Every visible word in a template is marked for translation.

Each template under ``templates/`` is cut into tokens by Django's own template
Lexer; the words outside translation tags are what a reader or an editor would
see untranslated: text between tags, the visible attributes (``alt``,
``title``, ``aria-label``, ``placeholder``, a button's ``value``, a
description's ``content``) and string literals handed to a template as words
(``|default:"..."``, ``label="..."``). The failure lists each one as
``templates/<file>:<line>: <words>``, so it reads as a to-do list:

    .venv/bin/pytest -q tests/i18n/test_templates.py

Proper nouns that stay as they are in every language go in ``PROPER_NOUNS``.
"""

import re
import unicodedata
from html.parser import HTMLParser
from pathlib import Path

import pytest
from django.conf import settings
from django.template.base import Lexer, TokenType

TEMPLATES = Path(settings.BASE_DIR) / "templates"

# Words that are the same in every language: names, not interface words.
PROPER_NOUNS = {
    "Newsroom",
    "RSS",
    "Atom",
    "JSON",
    "API",
    "OpenAPI",
    "Google",
    "WebAuthn",
    "TOTP",
    "URL",
    "HTML",
    "UTC",
    "KST",
}

# Attributes whose value a person reads or hears.
VISIBLE_ATTRIBUTES = {"alt", "title", "aria-label", "placeholder", "aria-description"}
# <meta name=... content=...> whose content is shown (search results, shares).
DESCRIPTION_META = {"description", "og:description", "twitter:description"}
# Words inside these elements are code or data, not prose.
CODE_ELEMENTS = {"script", "style"}
# Machine-readable templates (sitemaps, feeds): their words are not shown.
SKIPPED_SUFFIXES = {".xml"}

TRANSLATING_BLOCKS = {
    "blocktranslate": "endblocktranslate",
    "blocktrans": "endblocktrans",
}
SKIPPED_BLOCKS = {"comment": "endcomment", "verbatim": "endverbatim"}
# {% block %}s that fill an attribute (the admin's body class and column
# type, the page's lang): class names and codes, not words.
ATTRIBUTE_BLOCKS = {"bodyclass", "coltype", "lang", "dir", "extrabodyclass"}
# Codes that look like words: languages.
CODES = {"en", "ko"}

# A template tag or variable, as it stands in the HTML: no letters, and spaces
# around it so it never glues an attribute name to another.
MARK = " \ue000 "

# Literal words handed to a template: {{ x|default:"No name" }}, and
# {% include ... with label="Search" %} / {% with title="..." %}.
DEFAULT_LITERAL = re.compile(
    r"""\|default(?:_if_none)?:(?P<q>["'])(?P<text>.*?)(?P=q)"""
)
WORD_ARGUMENT = re.compile(
    r"""\b(?:label|title|text|heading|caption|summary|message|hint|description|"""
    r"""placeholder|button|legend|empty|intro|note)=(?P<q>["'])(?P<text>.*?)(?P=q)"""
)


def words(text: str) -> str:
    """``text`` without punctuation, symbols, marks of template syntax and
    proper nouns; what remains has letters only if it is prose."""
    kept = "".join(
        ch if unicodedata.category(ch)[0] in "LN" else " " for ch in text
    ).split()
    prose = [word for word in kept if word not in PROPER_NOUNS | CODES]
    if not any(unicodedata.category(ch)[0] == "L" for word in prose for ch in word):
        return ""
    return " ".join(text.replace("\ue000", "").split())


class VisibleText(HTMLParser):
    """Text nodes and visible attributes of one template's HTML, with lines."""

    def __init__(self):
        super().__init__(convert_charrefs=True)
        self.found: list[tuple[int, str]] = []
        self.in_code = 0

    def handle_starttag(self, tag, attrs):
        line = self.getpos()[0]
        attributes = {
            (name or "").replace("\ue000", "").strip(): value or ""
            for name, value in attrs
        }
        shown = VISIBLE_ATTRIBUTES & attributes.keys()
        meta = attributes.get("name") or attributes.get("property") or ""
        if tag == "meta" and meta.strip().lower() in DESCRIPTION_META:
            shown.add("content")
        if tag == "input" and attributes.get("type", "").lower() in {
            "submit",
            "button",
            "reset",
        }:
            shown.add("value")
        for name in sorted(shown):
            if words(attributes.get(name, "")):
                text = words(attributes[name])
                self.found.append((line, f'{name}="{text}"'))
        if tag in CODE_ELEMENTS:
            self.in_code += 1

    def handle_startendtag(self, tag, attrs):
        self.handle_starttag(tag, attrs)
        if tag in CODE_ELEMENTS:
            self.in_code -= 1

    def handle_endtag(self, tag):
        if tag in CODE_ELEMENTS and self.in_code:
            self.in_code -= 1

    def handle_data(self, data):
        if self.in_code:
            return
        start = next(
            (i for i, ch in enumerate(data) if unicodedata.category(ch)[0] in "LN"),
            0,
        )
        line = self.getpos()[0] + data[:start].count("\n")
        self.found.append((line, data))


def untranslated(path: Path) -> list[tuple[int, str]]:
    """(line, words) for each piece of visible text outside translation tags."""
    source = path.read_text(encoding="utf-8")
    tokens = Lexer(source).tokenize()
    pieces = []  # the template as HTML, template syntax replaced by MARK
    literals = []
    closing = None  # the end tag of the block being skipped
    for token in tokens:
        text = token.contents if token.token_type == TokenType.TEXT else ""
        if token.token_type == TokenType.BLOCK:
            name = token.contents.split()[0] if token.contents.split() else ""
            if closing:
                if name == closing:
                    closing = None
                pieces.append(MARK)
                continue
            if name in TRANSLATING_BLOCKS:
                closing = TRANSLATING_BLOCKS[name]
            elif name in SKIPPED_BLOCKS:
                closing = SKIPPED_BLOCKS[name]
            elif (
                name == "block"
                and token.contents.split()[1:2]
                and (token.contents.split()[1] in ATTRIBUTE_BLOCKS)
            ):
                closing = "endblock"
            literals += [
                (token.lineno, m["text"])
                for m in WORD_ARGUMENT.finditer(token.contents)
            ]
            literals += [
                (token.lineno, m["text"])
                for m in DEFAULT_LITERAL.finditer(token.contents)
            ]
            pieces.append(MARK)
        elif token.token_type == TokenType.VAR:
            if not closing:
                literals += [
                    (token.lineno, m["text"])
                    for m in DEFAULT_LITERAL.finditer(token.contents)
                ]
            pieces.append(MARK)
        elif token.token_type == TokenType.COMMENT:
            pieces.append(MARK)
        elif closing:
            # Translated (or commented-out) text: keep its lines only.
            pieces.append("\n" * text.count("\n"))
        else:
            pieces.append(text)
    html = "".join(pieces)
    if path.suffix == ".txt":
        # Plain text (e-mail bodies): every line is prose.
        found = list(enumerate(html.splitlines(), start=1))
    else:
        parser = VisibleText()
        parser.feed(html)
        parser.close()
        found = parser.found
    offenders = [
        (line, text if text.endswith('"') else words(text))
        for line, text in found + literals
        if words(text)
    ]
    return sorted(set(offenders))


def template_files() -> list[Path]:
    return sorted(
        path
        for path in TEMPLATES.rglob("*")
        if path.is_file() and path.suffix not in SKIPPED_SUFFIXES
    )


def test_templates_are_found():
    assert len(template_files()) > 40


def test_every_visible_word_in_a_template_is_marked_for_translation():
    report = []
    for path in template_files():
        name = path.relative_to(settings.BASE_DIR)
        report += [f"{name}:{line}: {text[:100]}" for line, text in untranslated(path)]
    assert not report, (
        f"{len(report)} visible text(s) outside translation tags"
        " ({% translate %} / {% blocktranslate %}):\n" + "\n".join(report)
    )


# The checker itself, on small templates.


@pytest.mark.parametrize(
    ("source", "expected"),
    [
        ("<p>Hello</p>", [(1, "Hello")]),
        ("{% load i18n %}<p>{% translate 'Hello' %}</p>", []),
        (
            "{% load i18n %}<p>{% blocktranslate count n=n %}One story{% plural %}"
            "{{ n }} stories{% endblocktranslate %}</p>",
            [],
        ),
        ("<p>\n\n  Two lines down</p>", [(3, "Two lines down")]),
        ('<img src="x.png" alt="A photo">', [(1, 'alt="A photo"')]),
        ('<img src="x.png" alt="{{ story.alt }}">', []),
        ('<a href="{% url "home" %}" title="Home">{{ y }}</a>', [(1, 'title="Home"')]),
        ('<button aria-label="Close">&times;</button>', [(1, 'aria-label="Close"')]),
        ('<input type="search" placeholder="Search">', [(1, 'placeholder="Search"')]),
        ('<input type="submit" value="Send">', [(1, 'value="Send"')]),
        ('<input type="hidden" name="next" value="here">', []),
        (
            '<meta name="description" content="News and analysis">',
            [(1, 'content="News and analysis"')],
        ),
        ('<meta name="robots" content="noindex">', []),
        ("<p>&copy; 2026 · {{ name }} | 3</p>", []),
        ("<p>Newsroom RSS</p>", []),
        ("{# a note #}<!-- a comment --><p>{{ x }}</p>", []),
        ("{% comment %}Why it is so{% endcomment %}", []),
        ('<script type="application/ld+json">{"name": "x"}</script>', []),
        ("<style>body { color: red }</style>", []),
        ('<a {% if x %}aria-current="page"{% endif %} href="/">{{ y }}</a>', []),
        ("{{ author|default:'Staff' }}", [(1, "Staff")]),
        ("{{ author|default:_('Staff') }}", []),
        (
            '{% include "box.html" with label="Search the site" %}',
            [(1, "Search the site")],
        ),
        ('{% include "box.html" with where="header" %}', []),
        ("<p>{{ n }} comment{{ n|pluralize }}</p>", [(1, "comment")]),
        ("<p>{% if a %}Yes{% endif %}</p>", [(1, "Yes")]),
        ("<p>기사</p>", [(1, "기사")]),
        ("{% block bodyclass %}{{ block.super }} desk-list{% endblock %}", []),
        ("{% block title %}Stories{% endblock %}", [(1, "Stories")]),
        ("<html lang=\"{{ LANGUAGE_CODE|default:'en' }}\">", []),
        ("{% comment %}\nA\nB\n{% endcomment %}\n\n<p>\n Late</p>", [(7, "Late")]),
    ],
)
def test_checker_finds_visible_text_outside_translation_tags(
    tmp_path, source, expected
):
    path = tmp_path / "t.html"
    path.write_text(source, encoding="utf-8")
    assert untranslated(path) == expected


def test_checker_reads_plain_text_mails_line_by_line(tmp_path):
    path = tmp_path / "mail.txt"
    path.write_text(
        "{% load i18n %}{% translate 'Hello' %},\n\nClick the link:\n{{ url }}\n",
        encoding="utf-8",
    )
    assert untranslated(path) == [(3, "Click the link:")]
