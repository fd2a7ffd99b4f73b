"""The blank template of an importer, written from its column spec: a title, a line of instructions, the
headers (text columns formatted as text), example rows, a drop-down on every column with choices and each
column's help as the input message Excel shows on its cells."""

from django.views import View

from core.excel import DropDowns, SheetWriter, xlsx_response

from .views import ImportViewMixin

TEMPLATE_ROWS = 5000  # rows below the header that get the drop-downs


def write_template(importer, target):
    columns = importer.columns
    headers = columns.headers
    writer = SheetWriter(
        target, importer.sheet_label, headers, title=importer.template_title, subtitle=importer.template_note,
        text_columns=[headers.index(name) for name in headers if name in columns.text],
        widths={c.header: c.width for c in columns if c.width},
    )
    for row in importer.template_examples:
        writer.write_row(row)
    first = writer.header_row + 1
    drop_downs = DropDowns(writer.workbook)
    for index, column in enumerate(columns):
        if column.choices:
            drop_downs.add(writer.sheet, index, column.choices, first_row=first, last_row=first + TEMPLATE_ROWS,
                           title=column.header, message=column.help)
        elif column.help:
            writer.sheet.data_validation(first, index, first + TEMPLATE_ROWS, index, {
                "validate": "any", "input_title": column.header[:32], "input_message": column.help[:255]})
    writer.close()


class TemplateView(ImportViewMixin, View):
    """The blank template of the importer (no data: headers, drop-downs and example rows only)."""

    def get(self, request, **kwargs):
        return xlsx_response(lambda target: write_template(self.importer, target),
                             f"{self.importer.template_title or self.importer.title}.xlsx")
