"""English date formats for Shiji's pages. Django's default English ends times with "a.m.",
which doubles the full stop at the end of a sentence ("Rates as of 1:42 a.m.."); a market
whose buyers and sellers sit in other time zones reads a 24-hour clock more easily anyway."""

DATE_FORMAT = "j M Y"
DATETIME_FORMAT = "j M Y, H:i"
SHORT_DATE_FORMAT = "Y-m-d"
SHORT_DATETIME_FORMAT = "Y-m-d H:i"
TIME_FORMAT = "H:i"
MONTH_DAY_FORMAT = "j F"
YEAR_MONTH_FORMAT = "F Y"
