"""The column spec of an importer: what a file's header may call each column, which columns an import needs, and
how the blank template and the error workbook write them. Django-free, like the reader."""

from dataclasses import dataclass


@dataclass(frozen=True)
class Column:
    """One column of an import.

    `header` is the canonical name: the template's header and the name every problem of the column is reported
    under, whatever the file calls it; `synonyms` are the other spellings real files use (matched without
    spaces, required-marks, full-width characters or case, see core.importing.header_key).
    """

    header: str
    synonyms: tuple = ()
    required: bool = False  # an import needs it: a header row without it is reported at that row
    text: bool = False  # written as text in the template and the error workbook (codes, ID numbers, phones)
    choices: tuple = ()  # the template's drop-down list (labels as a file may give them)
    help: str = ""  # one line: the template's input message and the column table of the upload page
    serial: bool = False  # a row number (序号): a row holding nothing else is an unused line of a template
    width: int = 0  # the template's column width in characters (0: from the header)
    # A phone column: the spellings of its header that name a mobile phone (手机, 手机号码). Headed so, the column
    # takes mobile numbers only (`Importer.mobile_only`); headed 电话/联系电话/固定电话, a landline as well.
    mobile_headers: tuple = ()


class Columns:
    """The ordered columns of one importer, with the lookups the reader and the writers need."""

    def __init__(self, columns):
        self.all = tuple(columns)
        self.headers = [c.header for c in self.all]
        if len(set(self.headers)) != len(self.headers):
            raise ValueError("a column spec names a column twice")
        self.synonyms = {c.header: (*c.synonyms, *c.mobile_headers) for c in self.all}
        self.required = tuple(c.header for c in self.all if c.required)
        self.text = frozenset(c.header for c in self.all if c.text)
        self.serial = frozenset(c.header for c in self.all if c.serial)
        self._order = {header: index for index, header in enumerate(self.headers)}
        self._by_header = {c.header: c for c in self.all}

    def __iter__(self):
        return iter(self.all)

    def __len__(self):
        return len(self.all)

    def __getitem__(self, header):
        return self._by_header[header]

    def __contains__(self, header):
        return header in self._by_header

    def order(self, header):
        """Where `header` comes in the spec (problems are sorted by it); unknown columns and the file come last."""
        return self._order.get(header, len(self.all))
