import subprocess
import unicodedata

import pytest
from hypothesis import given
from hypothesis import strategies as st

from comments import textfold
from comments.moderation import Action, Submission, decide

REJECT = ("buy pills",)
HOLD = ("casino", "free money")


def verdict(body: str, name: str = "Reader") -> Action:
    sub = Submission(body=body, name=name, reject_words=REJECT, hold_words=HOLD)
    return decide(sub).action


# Text made mostly of listed words and near misses, so that verdicts vary.
TOKENS = ["buy", "pills", "casino", "free", "money", "spills", "hello", "é", "і"]
SPACES = [" ", "  ", "\t", "\n", "\u00a0", "\u3000", "\r\n"]
IGNORABLE = sorted(textfold.DEFAULT_IGNORABLE)


@st.composite
def comment_text(draw):
    words = draw(st.lists(st.sampled_from(TOKENS), min_size=1, max_size=8))
    seps = draw(st.lists(st.sampled_from([*SPACES, ", ", ". "]), min_size=len(words)))
    return "".join(w + s for w, s in zip(words, seps, strict=False)).strip()


@st.composite
def with_ignorables(draw, text):
    """``text`` with default-ignorable code points inserted anywhere."""
    chars = list(text)
    for _ in range(draw(st.integers(min_value=1, max_value=6))):
        at = draw(st.integers(min_value=0, max_value=len(chars)))
        chars.insert(at, chr(draw(st.sampled_from(IGNORABLE))))
    return "".join(chars)


@given(st.data(), comment_text())
def test_inserting_ignorable_characters_never_changes_a_verdict(data, text):
    changed = data.draw(with_ignorables(text))
    assert verdict(changed) == verdict(text)
    assert verdict("hello", name=changed) == verdict("hello", name=text)


@given(st.data(), st.text(max_size=80))
def test_inserting_ignorable_characters_never_changes_the_folded_text(data, text):
    assert textfold.fold(data.draw(with_ignorables(text))) == textfold.fold(text)


@given(st.data(), comment_text())
def test_case_and_whitespace_variations_never_change_a_verdict(data, text):
    flips = data.draw(st.lists(st.booleans(), min_size=len(text), max_size=len(text)))
    cased = "".join(
        ch.swapcase() if flip else ch for ch, flip in zip(text, flips, strict=True)
    )
    spaced = "".join(
        data.draw(st.sampled_from(SPACES)) if part == "" else part
        for part in _split_keeping_gaps(cased)
    )
    assert verdict(spaced) == verdict(text)


def _split_keeping_gaps(text):
    """Words with an empty string where each run of whitespace was."""
    parts = []
    for i, word in enumerate(text.split()):
        if i:
            parts.append("")
        parts.append(word)
    return parts


@given(st.text(max_size=200))
def test_folding_folded_text_changes_nothing(text):
    assert textfold.fold(textfold.fold(text)) == textfold.fold(text)


@given(st.text(max_size=200))
def test_folded_text_holds_no_ignorable_and_no_double_space(text):
    folded = textfold.fold(text)
    assert not set(map(ord, folded)) & textfold.DEFAULT_IGNORABLE
    assert folded == " ".join(folded.split())


@pytest.mark.parametrize(
    "body",
    [
        "buy p\u200bills",  # zero-width space
        "buy pil\u00adls",  # soft hyphen
        "buy pi\u2060lls",  # word joiner
        "buy  pills",  # a double space
        "buy p\u0456lls",  # Cyrillic i
        "BUY PILLS",
        "buy\u00a0pills",  # no-break space
        "buy p\u200dil\u200cls",  # zero-width joiner and non-joiner
        "buy \u202epills\u202c",  # a right-to-left override
        "buy pi\ufe0flls",  # a variation selector
        "buy pi\U000e0041lls",  # a tag character
        "ｂｕｙ ｐｉｌｌｓ",  # fullwidth (NFKC)
        "buy p\u0131lls",  # dotless i
        "Cheap! Buy\tpills now",
    ],
)
def test_disguised_reject_words_are_rejected(body):
    assert verdict(body) == Action.REJECT


@pytest.mark.parametrize("body", ["buy spills", "buy", "pills to buy", "buypills"])
def test_near_misses_are_not_rejected(body):
    assert verdict(body) == Action.APPROVE


def test_list_words_are_folded_like_the_text():
    sub = Submission(body="buy pills", reject_words=("BUY  P\u0456LLS",))
    assert decide(sub).action == Action.REJECT


def test_a_word_that_folds_to_nothing_matches_nothing():
    sub = Submission(body="anything at all", reject_words=("\u200b", " "))
    assert decide(sub).action == Action.APPROVE


def test_a_phrase_does_not_run_from_the_name_into_the_body():
    assert verdict("pills are bad", name="Buy") == Action.APPROVE
    assert verdict("hello", name="Buy p\u200bills") == Action.REJECT


@pytest.mark.parametrize(
    ("char", "prototype"),
    [("\u0456", "i"), ("\u0430", "a"), ("\u03bf", "o"), ("0", "o"), ("1", "l")],
)
def test_confusables_fold_to_their_prototype(char, prototype):
    assert textfold.fold(char) == prototype


def test_the_skeleton_table_maps_only_to_prototypes():
    # TR39's mapping is idempotent: no prototype is itself mapped.
    for target in textfold.SKELETON.values():
        assert not any(ord(ch) in textfold.SKELETON for ch in target)


@pytest.mark.parametrize(
    "char",
    [
        "\u00ad",  # soft hyphen
        "\u034f",  # combining grapheme joiner
        "\u061c",  # Arabic letter mark
        "\u115f",  # Hangul choseong filler
        "\u180e",  # Mongolian vowel separator
        "\u200b",
        "\u200c",
        "\u200d",
        "\u200e",
        "\u200f",
        "\u202a",
        "\u202e",
        "\u2060",
        "\u2066",
        "\u2069",
        "\u3164",  # Hangul filler
        "\ufe0f",
        "\ufeff",
        "\uffa0",
        "\U000e0001",  # language tag
        "\U000e007f",  # cancel tag
        "\U000e0100",  # variation selector 17
    ],
)
def test_default_ignorable_code_points_are_removed(char):
    assert textfold.fold(f"a{char}b") == "ab"


@pytest.mark.parametrize("char", [" ", "\u0600", "\ufff9", "a", "-", "\u0301"])
def test_visible_and_whitespace_characters_are_not_ignorable(char):
    assert ord(char) not in textfold.DEFAULT_IGNORABLE


def perl_default_ignorable() -> set[int]:
    """Default_Ignorable_Code_Point as Perl's copy of the Unicode database has it."""
    script = 'print join " ", prop_invlist("Default_Ignorable_Code_Point")'
    out = subprocess.run(
        ["perl", "-MUnicode::UCD=prop_invlist", "-e", script],
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    bounds = [int(n) for n in out.split()] + [0x110000]
    return {
        cp
        for low, high in zip(bounds[::2], bounds[1::2], strict=False)
        for cp in range(low, high)
    }


def test_the_ignorable_set_is_unicodes_default_ignorable_property():
    # Perl's Unicode data is older than Python's (14.0 against 15.1), but no
    # default-ignorable code point came in between.
    differ = perl_default_ignorable() ^ textfold.DEFAULT_IGNORABLE
    assert sorted(f"U+{cp:04X} {unicodedata.name(chr(cp), '')}" for cp in differ) == []


@pytest.mark.parametrize(
    "name", ["Ana", "김민수", "محمد", "J. Smith", "Zoë", "x\u200by"]
)
def test_names_with_a_visible_letter_pass(name):
    assert textfold.has_visible_letter(name)
    assert not textfold.has_bidi_formatting(name)


@pytest.mark.parametrize(
    "name", ["\u200b\u200b", "\u3164", "...", "\u00ad-\u2060", "\u115f\u1160", "42"]
)
def test_names_without_a_visible_letter_fail(name):
    assert not textfold.has_visible_letter(name)


@pytest.mark.parametrize("char", ["\u202a", "\u202b", "\u202d", "\u202e", "\u2066"])
def test_bidi_overrides_and_isolates_are_found(char):
    assert textfold.has_bidi_formatting(f"Ana{char}x")
