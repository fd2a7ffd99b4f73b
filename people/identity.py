"""ID numbers (GB 11643) and phone numbers: normalisation and checks shared by forms and the importer."""

import datetime
import operator
import re

from core.text import to_halfwidth

WEIGHTS = [7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2]
CHECK_CODES = "10X98765432"

# GB/T 2260 province-level prefixes: county codes change too often to check more than this.
PROVINCE_PREFIXES = {
    "11", "12", "13", "14", "15", "21", "22", "23", "31", "32", "33", "34", "35", "36", "37",
    "41", "42", "43", "44", "45", "46", "50", "51", "52", "53", "54", "61", "62", "63", "64", "65",
    "71", "81", "82", "83", "91",
}


# Compiled once: the ledger import checks 100,000 numbers in a row.
_SPACES = re.compile(r"\s+")
_PHONE_SEPARATORS = re.compile(r"[\s\-－—]+")
_ID_NUMBER = re.compile(r"\d{17}[\dX]")
_OLD_ID_NUMBER = re.compile(r"\d{15}")


def normalize_id_number(value):
    return _SPACES.sub("", to_halfwidth(str(value or ""))).upper()


def normalize_phone(value):
    text = _PHONE_SEPARATORS.sub("", to_halfwidth(str(value or "")))
    if text.startswith("+86"):
        text = text[3:]
    return text


def check_digit(first17):
    if len(first17) != len(WEIGHTS):
        raise ValueError("check_digit needs the first 17 characters of the number")
    return CHECK_CODES[sum(map(operator.mul, map(int, first17), WEIGHTS)) % 11]


def id_number_problem(value, today=None):
    """None when `value` (normalised) is a valid 18-digit ID number, else a Chinese explanation."""
    if not _ID_NUMBER.fullmatch(value):
        if _OLD_ID_NUMBER.fullmatch(value):
            return "身份证号为15位旧号码，请换用18位号码"
        if "*" in value:
            return "身份证号是脱敏后的号码（含*），请填写完整号码，或使用“完整导出”的文件"
        return "身份证号应为18位，前17位为数字，最后一位为数字或X"
    if value[:2] not in PROVINCE_PREFIXES:
        return f"身份证号前两位“{value[:2]}”不是有效的省级行政区划代码"
    birth = birth_date_from_id(value)
    if birth is None:
        return f"身份证号中的出生日期“{value[6:14]}”不是有效日期"
    if birth > (today or datetime.date.today()) or birth.year < 1900:
        return f"身份证号中的出生日期“{value[6:14]}”不在合理范围内"
    if check_digit(value[:17]) != value[17]:
        return "身份证号校验位不正确，请核对号码"
    return None


def birth_date_from_id(value):
    try:
        return datetime.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        return None


def gender_from_id(value):
    """"M" or "F" from the 17th digit (odd: male)."""
    return "M" if int(value[16]) % 2 else "F"


MOBILE = re.compile(r"1[3-9]\d{9}")
LANDLINE = re.compile(r"0\d{2,3}\d{7,8}")  # area code (0 and 2-3 digits) and the local number (7-8 digits)


def phone_problem(value):
    """None for a mobile number or a landline with its area code (normalised), else a Chinese explanation."""
    if MOBILE.fullmatch(value) or LANDLINE.fullmatch(value):
        return None
    return "联系电话应为11位手机号码或带区号的固定电话"


def mobile_problem(value):
    """None for a mobile number (normalised), else a Chinese explanation: a 手机 column takes no landline."""
    if MOBILE.fullmatch(value):
        return None
    if LANDLINE.fullmatch(value):
        return "手机号码列只能填写11位手机号码；固定电话请填在“电话”或“固定电话”列"
    return "手机号码应为11位数字（以1开头）；固定电话请填在“电话”或“固定电话”列"
