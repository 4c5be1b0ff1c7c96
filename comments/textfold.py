"""Folding reader text so a word list matches what readers see, not the code
points someone typed to dodge it.

``fold()`` is for checks only: the comment is stored and shown as typed. It
removes Unicode's default-ignorable code points (zero-width characters, the soft
hyphen, the word joiner, bidi controls, variation selectors, tag characters...),
applies NFKC and case folding, maps confusable characters to their prototype
(the skeleton of Unicode TR39, from the ``confusable-homoglyphs`` data: a
Cyrillic "і" becomes a Latin "i") and collapses whitespace. A word list's words
are folded the same way, so "buy pills" matches "buy  p\\u200bills" and
"buy pіlls".
"""

import functools
import itertools
import re
import sys
import unicodedata

from confusable_homoglyphs import confusables

# Default_Ignorable_Code_Point (DerivedCoreProperties.txt) is, by its
# definition, Other_Default_Ignorable_Code_Point + Cf + Variation_Selector -
# White_Space - FFF9..FFFB - 13430..1343F - Prepended_Concatenation_Mark.
# unicodedata gives the categories, names and whitespace; these two properties
# of PropList.txt it does not, so they are copied here whole (both are small
# and, by Unicode's policy, only ever reserved ranges grow them).
OTHER_DEFAULT_IGNORABLE = (
    (0x034F, 0x034F),  # COMBINING GRAPHEME JOINER
    (0x115F, 0x1160),  # HANGUL CHOSEONG FILLER..HANGUL JUNGSEONG FILLER
    (0x17B4, 0x17B5),  # KHMER VOWEL INHERENT AQ..KHMER VOWEL INHERENT AA
    (0x2065, 0x2065),  # reserved
    (0x3164, 0x3164),  # HANGUL FILLER
    (0xFFA0, 0xFFA0),  # HALFWIDTH HANGUL FILLER
    (0xFFF0, 0xFFF8),  # reserved
    (0xE0000, 0xE0000),  # reserved
    (0xE0002, 0xE001F),  # reserved
    (0xE0080, 0xE00FF),  # reserved
    (0xE01F0, 0xE0FFF),  # reserved
)
PREPENDED_CONCATENATION_MARK = (
    (0x0600, 0x0605),
    (0x06DD, 0x06DD),
    (0x070F, 0x070F),
    (0x0890, 0x0891),
    (0x08E2, 0x08E2),
    (0x110BD, 0x110BD),
    (0x110CD, 0x110CD),
)
# Visible format characters the property leaves out.
NOT_IGNORABLE = ((0xFFF9, 0xFFFB), (0x13430, 0x1343F), *PREPENDED_CONCATENATION_MARK)

# The explicit bidi formatting characters: embeddings, overrides, isolates.
BIDI_FORMATTING = frozenset(
    {"LRE", "RLE", "PDF", "LRO", "RLO", "LRI", "RLI", "FSI", "PDI"}
)


def _in_ranges(cp: int, ranges) -> bool:
    return any(low <= cp <= high for low, high in ranges)


# Planes 4 to 13 hold no character (Unicode's roadmap leaves them empty):
# skipping them halves the scan at import.
_PLANES = (range(0x40000), range(0xE0000, sys.maxunicode + 1))


def _default_ignorable() -> frozenset[int]:
    found = set()
    for low, high in OTHER_DEFAULT_IGNORABLE:
        found.update(range(low, high + 1))
    for cp in itertools.chain(*_PLANES):
        ch = chr(cp)
        category = unicodedata.category(ch)
        if category == "Cf" or (
            category == "Mn" and "VARIATION SELECTOR" in unicodedata.name(ch)
        ):
            if not (ch.isspace() or _in_ranges(cp, NOT_IGNORABLE)):
                found.add(cp)
    return frozenset(found)


DEFAULT_IGNORABLE = _default_ignorable()
_STRIP = dict.fromkeys(DEFAULT_IGNORABLE)


def _skeleton_table() -> dict[int, str]:
    """Each confusable character to its prototype, as TR39's confusables.txt
    maps it.

    The package keeps the data both ways round (each character with every
    character it can be mistaken for) and so loses the direction. It comes
    back: a prototype is never itself mapped, so a character that lists more
    than one look-alike, or a multi-character string, is a prototype; a pair
    that list only each other is one line of the file, whose source the
    package wrote first (its JSON keeps the file's order).
    """
    data = confusables.confusables_data
    order = {key: index for index, key in enumerate(data)}
    table = {}
    for char, entries in data.items():
        if len(char) != 1 or len(entries) != 1:
            continue
        target = entries[0]["c"]
        if len(target) > 1 or len(data.get(target, ())) > 1:
            table[ord(char)] = target
        elif order[char] < order[target]:
            table[ord(char)] = target
    return table


SKELETON = _skeleton_table()


def strip_ignorable(text: str) -> str:
    """``text`` without its default-ignorable code points."""
    return text.translate(_STRIP)


def _fold_once(text: str) -> str:
    text = unicodedata.normalize("NFKC", strip_ignorable(text)).casefold()
    text = unicodedata.normalize("NFD", text).translate(SKELETON)
    text = strip_ignorable(unicodedata.normalize("NFKC", text)).casefold()
    return " ".join(text.split())


def fold(text: str) -> str:
    """The form of ``text`` that word lists are checked against.

    Repeated until nothing changes (twice, nearly always), so folding folded
    text changes nothing.
    """
    for _ in range(5):
        folded = _fold_once(text)
        if folded == text:
            break
        text = folded
    return text


@functools.lru_cache(maxsize=4096)
def word_pattern(word: str) -> re.Pattern | None:
    """A listed word or phrase, folded, matched as a whole word; None if it
    folds to nothing."""
    folded = fold(word)
    if not folded:
        return None
    return re.compile(rf"(?<!\w){re.escape(folded)}(?!\w)")


def has_bidi_formatting(text: str) -> bool:
    """Does ``text`` hold an embedding, override or isolate (U+202A..202E,
    U+2066..2069), which can make it display in another order?"""
    return any(unicodedata.bidirectional(ch) in BIDI_FORMATTING for ch in text)


def has_visible_letter(text: str) -> bool:
    """Does ``text`` hold a letter once its ignorable code points are gone?"""
    return any(unicodedata.category(ch).startswith("L") for ch in strip_ignorable(text))
