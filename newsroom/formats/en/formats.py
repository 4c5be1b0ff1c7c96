# How the newsroom writes dates and times in English, for readers and editors
# alike (``date_format()``, ``{{ value|date }}``, the admin's columns, and
# ``articles.markup.time_html()``), always in the newsroom's time zone:
#
#   2 Dec 2026, 14:05 KST
#
# Day before month, because "12/02" is a different day in Seoul and in New
# York; the month as a word, so no reader has to guess; a 24-hour clock, as
# Korea writes it, with no "a.m." or "p.m." to punctuate; the zone's
# abbreviation, because readers abroad read Seoul time (``<time datetime>``
# carries the exact offset, since abbreviations are not unique). Short enough
# for a story card, so the short formats are the same: one format everywhere.
# Input formats stay Django's (ISO), which the admin's date pickers expect.

DATE_FORMAT = "j M Y"  # 2 Dec 2026
TIME_FORMAT = "H:i"  # 14:05
DATETIME_FORMAT = "j M Y, H:i T"  # 2 Dec 2026, 14:05 KST
YEAR_MONTH_FORMAT = "F Y"  # December 2026
MONTH_DAY_FORMAT = "j F"  # 2 December
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
