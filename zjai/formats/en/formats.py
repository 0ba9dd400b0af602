"""English formats: one way to write a date on every page, day month year (5 Dec 2026), which
no reader takes for the month of another (12/05 is May in one country, December in another).

Date boxes show the date in DATE_FORMAT and accept ISO (2026-12-05, the first input format,
which the admin's date boxes and calendar write) and the day month year this language shows
(5 Dec 2026, 5 December 2026) or its month-first spelling (Dec 5, 2026); never a date of
slashes with the year last, which is ambiguous."""

DATE_FORMAT = "j M Y"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "M Y"
MONTH_DAY_FORMAT = "j M"
DATE_INPUT_FORMATS = [
    "%Y-%m-%d",
    "%d %b %Y",
    "%d %B %Y",
    "%b %d %Y",
    "%b %d, %Y",
    "%B %d %Y",
    "%B %d, %Y",
    "%Y/%m/%d",
]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
