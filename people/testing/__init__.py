"""Test support of the ledger, for the tests of every app: valid ID numbers, the birth dates of the URL security
walk and the ways a page may write a day, and ledger workbooks to import (built in memory by `ledgers`)."""

import datetime

from ..identity import check_digit
from .ledgers import (
    HEADERS,
    SYNONYM_HEADERS,
    TOWN01,
    TOWN01_VILLAGES,
    Blank,
    Entry,
    TownLedger,
    fullwidth,
    id_ending_in_x,
    ledger,
    make_id,
    person,
    town_ledger,
    town_people,
)

__all__ = ["HEADERS", "SYNONYM_HEADERS", "TOWN01", "TOWN01_VILLAGES", "Blank", "Entry", "TownLedger", "birth_date",
           "check_digit", "day_texts", "fullwidth", "id_ending_in_x", "id_number", "ledger", "make_id", "person",
           "problems_of", "town_ledger", "town_people"]


def birth_date(serial):
    return datetime.date(1960, 1, 1) + datetime.timedelta(days=serial)


def id_number(serial):
    first17 = f"330998{birth_date(serial):%Y%m%d}{serial:03d}"
    return first17 + check_digit(first17)


def day_texts(day):
    """A date written with its day, as pages, forms and exports write one."""
    return [day.isoformat(), f"{day.year}年{day.month:02d}月{day.day:02d}日", f"{day.year}年{day.month}月{day.day}日",
            f"{day.year}.{day.month:02d}.{day.day:02d}", f"{day:%Y/%m/%d}"]


def problems_of(result):
    """An import result's problems as (Excel row, column, message)."""
    return [(problem.row, problem.column, problem.message) for problem in result.errors]
