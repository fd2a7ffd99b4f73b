"""Cell conversion: text normalised as cadres type it, codes, integers and dates. Each raises `CellError` with a
Chinese message; the importer adds the row number and the column name."""

import datetime
import re


class CellError(ValueError):
    """One cell's value is unusable. `str(error)` is a Chinese message; the caller adds row and column."""


# Full-width digits, Latin letters and the ideographic space typed by Chinese input methods, plus
# non-breaking and zero-width characters pasted from web pages and Word.
_HALF_WIDTH = {code: code - 0xFEE0 for code in range(0xFF10, 0xFF1A)}  # ０-９
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF21, 0xFF3B)})  # Ａ-Ｚ
_HALF_WIDTH.update({code: code - 0xFEE0 for code in range(0xFF41, 0xFF5B)})  # ａ-ｚ
_HALF_WIDTH.update({0x3000: " ", 0x00A0: " ", 0x200B: None, 0x200C: None, 0x200D: None, 0xFEFF: None})


def normalise_text(value):
    """Full-width digits/letters/spaces to half-width, invisible characters removed, ends stripped.

    Chinese punctuation such as full-width brackets （） is kept: it is what Chinese names are written with.
    """
    return str(value).translate(_HALF_WIDTH).strip()


def cell_text(value):
    """Any cell as text: "" for empty, integral numbers without ".0", dates as YYYY-MM-DD, 是/否 for booleans."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, datetime.datetime):
        return value.strftime("%Y-%m-%d %H:%M") if (value.hour, value.minute) != (0, 0) else f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.date):
        return f"{value:%Y-%m-%d}"
    if isinstance(value, datetime.time):
        return value.strftime("%H:%M")
    return normalise_text(value)


def cell_code(value, *, digits=()):
    """A code column (division code, unit code, ...) as text.

    Text cells are normalised and returned as they are; the caller validates their format. A numeric cell
    is accepted only when it is an integer with one of the allowed numbers of `digits` (all refused when
    `digits` is empty): Excel keeps 15 significant digits and drops leading zeros, so any other number
    may already have lost what was typed.
    """
    if value is None or isinstance(value, str):
        return normalise_text(value or "")
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise CellError("应为文本格式的代码。")
    if not digits:
        raise CellError("是数字格式，可能已丢失前导0或15位以后的数字，请将该列设为文本格式后重新填写。")
    if isinstance(value, float) and not value.is_integer():
        raise CellError("应为整数代码，不能含小数。")
    number = int(value)
    if number < 0 or number >= 10**15 or len(str(number)) not in digits:
        allowed = "、".join(str(d) for d in digits)
        raise CellError(
            f"是数字格式且为{len(str(abs(number)))}位（应为{allowed}位），可能已丢失前导0，"
            "请将该列设为文本格式后重新填写。"
        )
    return str(number)


def cell_int(value, *, minimum=None, maximum=None, default=None):
    """An integer cell (a number without fraction, or digits as text). Empty gives `default`."""
    if value is None or (isinstance(value, str) and not normalise_text(value)):
        return default
    if isinstance(value, bool):
        raise CellError("应为整数。")
    if isinstance(value, float):
        if not value.is_integer():
            raise CellError("应为整数，不能含小数。")
        number = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, str) and re.fullmatch(r"[+-]?\d{1,15}", normalise_text(value)):
        number = int(normalise_text(value))
    else:
        raise CellError("应为整数。")
    if minimum is not None and number < minimum:
        raise CellError(f"不能小于{minimum}。")
    if maximum is not None and number > maximum:
        raise CellError(f"不能大于{maximum}。")
    return number


def is_blank_row(values):
    """Whether every value is empty: None, or text that normalises to nothing (spaces, zero-width characters)."""
    for value in values:
        if value is None:
            continue
        # A letter, digit or Chinese character first is text that stays (the quick answer for almost every
        # cell: each row of a 100,000-row ledger is asked); only other text needs normalising.
        if not isinstance(value, str) or value[:1].isalnum() or normalise_text(value):
            return False
    return True


_DATE_TEXT = [
    # 1975-03-01, 1975.3.1, 1975/03/01, 1975年3月1日 (an optional time after it is ignored); full-width
    # separators too
    (re.compile(r"(\d{4})[.\-/年．－／](\d{1,2})[.\-/月．－／](\d{1,2})日?(?:\d{1,2}:\d{2}(?::\d{2})?)?"), "day"),
    # 1975.03, 1975-3, 1975/03, 1975年3月
    (re.compile(r"(\d{4})[.\-/年．－／](\d{1,2})月?"), "month"),
    (re.compile(r"(\d{4})(\d{2})(\d{2})"), "day"),  # 19750301
    (re.compile(r"(\d{4})(\d{2})"), "month"),  # 197503
    (re.compile(r"(\d{4})年?"), "year"),  # 1975, 1975年
]
_EXCEL_EPOCH = datetime.date(1899, 12, 30)
DATE_HINT = "请写成“1975.03”“1975年3月”或“1975-03-01”的形式"


def cell_date(value, *, earliest=1900, latest=2100):
    """A date cell as `(date, precision)`, precision being "day", "month" or "year"; `None` when empty.

    Accepts what ledgers hold: Excel dates, text such as "1975.03", "1975.3", "1975年3月", "1975-03-01",
    "1975/3/1", "1975年3月1日", "197503", "19750301", "1975", full-width digits, and numbers typed into a
    General cell: 1975.03 (year.month), 197503, 19750301, or an Excel date serial (27454). A month-precise
    value is the first of its month. Raises `CellError` with a Chinese message.

    The number 1975.1 is refused: Excel has already turned "1975.10" into it, so October and January
    cannot be told apart.
    """
    if value is None:
        return None
    if isinstance(value, datetime.datetime):
        return _checked_date(value.year, value.month, value.day, "day", value, earliest, latest)
    if isinstance(value, datetime.date):
        return _checked_date(value.year, value.month, value.day, "day", value, earliest, latest)
    if isinstance(value, bool):
        raise CellError(f"不是日期，{DATE_HINT}。")
    if isinstance(value, int | float):
        return _number_date(value, earliest, latest)
    text = re.sub(r"\s+", "", normalise_text(value))
    if not text:
        return None
    for pattern, precision in _DATE_TEXT:
        match = pattern.fullmatch(text)
        if match:
            parts = [int(part) for part in match.groups()]
            year, month, day = (parts + [1, 1])[:3]
            return _checked_date(year, month, day, precision, text, earliest, latest)
    raise CellError(f"无法识别的日期“{text}”，{DATE_HINT}。")


def _number_date(value, earliest, latest):
    shown = cell_text(value)
    if isinstance(value, float) and not value.is_integer():
        whole = int(value)
        if earliest <= whole <= latest:  # 1975.03 typed into a General cell
            hundredths = round((value - whole) * 100)
            if abs((value - whole) * 100 - hundredths) > 1e-6:
                raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")
            if hundredths == 10:
                raise CellError(
                    f"“{shown}”是数字格式，无法区分1月和10月，请将该列设为文本格式后填写“{whole}.01”或“{whole}.10”。"
                )
            month = hundredths // 10 if hundredths % 10 == 0 else hundredths  # 1975.3 is March
            return _checked_date(whole, month, 1, "month", shown, earliest, latest)
        if 10_000 <= value < 100_000:  # an Excel date serial with a time of day
            value = int(value)
        else:
            raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")
    number = int(value)
    digits = str(number)
    if 10_000 <= number < 100_000:
        day = _EXCEL_EPOCH + datetime.timedelta(days=number)
        return _checked_date(day.year, day.month, day.day, "day", shown, earliest, latest)
    if len(digits) == 8:
        return _checked_date(int(digits[:4]), int(digits[4:6]), int(digits[6:]), "day", shown, earliest, latest)
    if len(digits) == 6:
        return _checked_date(int(digits[:4]), int(digits[4:]), 1, "month", shown, earliest, latest)
    if len(digits) == 4:
        return _checked_date(number, 1, 1, "year", shown, earliest, latest)
    raise CellError(f"无法识别的日期“{shown}”，{DATE_HINT}。")


def _checked_date(year, month, day, precision, shown, earliest, latest):
    if isinstance(shown, datetime.date):
        shown = cell_text(shown)
    try:
        date = datetime.date(year, month, day)
    except ValueError:
        raise CellError(f"“{shown}”不是有效的日期。") from None
    if not earliest <= year <= latest:
        raise CellError(f"日期“{shown}”不在合理范围内（{earliest}—{latest}年）。")
    return date, precision
