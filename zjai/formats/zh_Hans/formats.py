"""Chinese formats: one way to write a date on every page (2026年12月5日, in tables as in
sentences), and the comma grouping by thousands that statistical tables use (150,000 台), so
figures read the same in both languages.

Date boxes show the date in DATE_FORMAT and accept the first of the input formats Django tries
(ISO, 2026-12-05) as well as the way this language writes a date (2026年12月5日, 2026/12/5);
Django adds ISO to the list even if it were missing (zjai/forms.py, DateInput)."""

DATE_FORMAT = "Y年n月j日"
SHORT_DATE_FORMAT = DATE_FORMAT
DATETIME_FORMAT = "Y年n月j日 H:i"
SHORT_DATETIME_FORMAT = DATETIME_FORMAT
YEAR_MONTH_FORMAT = "Y年n月"
MONTH_DAY_FORMAT = "n月j日"
# ISO first: the admin's date boxes and calendar write their dates with the first one.
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%Y年%m月%d日", "%Y/%m/%d", "%Y.%m.%d"]
DECIMAL_SEPARATOR = "."
THOUSAND_SEPARATOR = ","
NUMBER_GROUPING = 3
