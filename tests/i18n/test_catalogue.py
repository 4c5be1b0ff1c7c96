"""The Korean catalogues are complete: they compile, and every string the
code marks has a reviewed Korean translation (none missing, none fuzzy), in
both domains: ``django`` (templates and Python) and ``djangojs`` (static/).

``make messages`` brings the catalogues up to date with the code (new
strings arrive untranslated or fuzzy); this test reads what is there and
lists each string still to translate or to review:

    .venv/bin/pytest -q tests/i18n/test_catalogue.py
"""

import ast
import shutil

import pytest
from django.conf import settings
from django.core.management import call_command

LOCALE = settings.BASE_DIR / "locale"
DOMAINS = ("django", "djangojs")


def entries(path):
    """The entries of a PO file: dicts of msgctxt, msgid, msgid_plural,
    msgstr (a list: one per plural form) and fuzzy."""
    found = []
    entry, field = None, None

    def finish():
        if entry is not None and "msgid" in entry:
            found.append(entry)

    for raw in path.read_text(encoding="utf-8").splitlines() + [""]:
        line = raw.strip()
        if not line:
            finish()
            entry, field = None, None
            continue
        if entry is None:
            entry = {"msgstr": {}, "fuzzy": False}
        if line.startswith("#,"):
            entry["fuzzy"] = entry["fuzzy"] or "fuzzy" in line
        elif line.startswith("#"):
            continue
        elif line.startswith('"'):
            text = ast.literal_eval(line)
            if isinstance(field, int):
                entry["msgstr"][field] += text
            else:
                entry[field] += text
        else:
            keyword, _, value = line.partition(" ")
            text = ast.literal_eval(value)
            if keyword.startswith("msgstr["):
                field = int(keyword[7:-1])
                entry["msgstr"][field] = text
            elif keyword == "msgstr":
                field = 0
                entry["msgstr"][0] = text
            else:
                field = keyword
                entry[keyword] = text
    return found


def problems(path) -> list[str]:
    """Each entry of ``path`` without a finished translation, as one line."""
    listed = []
    for entry in entries(path):
        if entry["msgid"] == "":
            continue  # the header
        name = repr(entry["msgid"])
        if entry.get("msgctxt"):
            name = f"[{entry['msgctxt']}] {name}"
        if entry["fuzzy"]:
            listed.append(f"fuzzy: {name}")
        elif not all(entry["msgstr"].values()) or not entry["msgstr"]:
            listed.append(f"untranslated: {name}")
    return listed


@pytest.fixture
def catalogue_copy(tmp_path, monkeypatch, settings):
    """The project's catalogues, copied: compiled there, never in place."""
    copy = tmp_path / "locale"
    shutil.copytree(LOCALE, copy, ignore=shutil.ignore_patterns("*.mo", "fragments"))
    settings.LOCALE_PATHS = [copy]
    monkeypatch.chdir(tmp_path)
    return copy


def test_korean_catalogues_exist():
    for domain in DOMAINS:
        assert (LOCALE / "ko" / "LC_MESSAGES" / f"{domain}.po").is_file(), domain


def test_catalogues_compile(catalogue_copy):
    call_command("compilemessages", locale=["ko", "en"], verbosity=0)
    for domain in DOMAINS:
        assert (catalogue_copy / "ko" / "LC_MESSAGES" / f"{domain}.mo").is_file()


def test_korean_plural_form_is_the_one_form():
    for domain in DOMAINS:
        text = (LOCALE / "ko" / "LC_MESSAGES" / f"{domain}.po").read_text("utf-8")
        assert "Plural-Forms: nplurals=1; plural=0;" in text, domain


@pytest.mark.parametrize("domain", DOMAINS)
def test_every_korean_string_is_translated_and_reviewed(catalogue_copy, domain):
    call_command("compilemessages", locale=["ko"], verbosity=0)
    listed = problems(catalogue_copy / "ko" / "LC_MESSAGES" / f"{domain}.po")
    assert not listed, (
        f"{len(listed)} Korean {domain} string(s) left to translate "
        "(translate them in locale/ko/LC_MESSAGES/, then make translations):\n"
        + "\n".join(listed)
    )


# The reader of PO files, on small ones.


def test_problems_lists_missing_fuzzy_and_half_done_plurals(tmp_path):
    po = tmp_path / "t.po"
    po.write_text(
        'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
        'msgid "Done"\nmsgstr "완료"\n\n'
        'msgid "Missing"\nmsgstr ""\n\n'
        '#, fuzzy, python-format\nmsgid "Guessed"\nmsgstr "추측"\n\n'
        'msgctxt "byline role"\nmsgid "By"\nmsgstr ""\n\n'
        'msgid "%(n)s story"\nmsgid_plural "%(n)s stories"\nmsgstr[0] ""\n\n'
        'msgid ""\n"Long "\n"text"\nmsgstr ""\n"긴 "\n"글"\n',
        encoding="utf-8",
    )
    assert problems(po) == [
        "untranslated: 'Missing'",
        "fuzzy: 'Guessed'",
        "untranslated: [byline role] 'By'",
        "untranslated: '%(n)s story'",
    ]
