# How the newsroom writes dates and times in Korean, as Korean papers print
# them, always in the newsroom's time zone:
#
#   2026년 12월 2일 오후 2:05 KST
#
# Year, month, day, each with its counter word; 오전/오후 before a 12-hour
# clock (Django's own Korean catalogue translates "AM" and "PM"); the zone's
# abbreviation, as in English (``<time datetime>`` carries the exact offset).
# Numbers are grouped in thousands with a comma ("조회 1,234"). Input formats
# stay Django's (ISO), which the admin's date pickers expect.

DATE_FORMAT = "Y년 n월 j일"  # 2026년 12월 2일
TIME_FORMAT = "A g:i"  # 오후 2:05
DATETIME_FORMAT = "Y년 n월 j일 A g:i T"  # 2026년 12월 2일 오후 2:05 KST
YEAR_MONTH_FORMAT = "Y년 n월"  # 2026년 12월
MONTH_DAY_FORMAT = "n월 j일"  # 12월 2일
SHORT_DATE_FORMAT = DATE_FORMAT
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
