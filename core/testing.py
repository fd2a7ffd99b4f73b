"""Test helpers shared by every app that need no app: the text and the rows of an xlsx download.

Domain-free like the rest of core: the small county is org.testing's, users holding built-in roles and the
standard scoped-view test case are accounts.testing's.
"""


def export_text(response):
    """All cell text of an xlsx download, for assertions about what an export contains."""
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.status_code
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    cells = []
    for name in workbook.sheet_names:
        for row in workbook.get_sheet_by_name(name).to_python():
            cells.extend(str(c) for c in row)
    return "\n".join(cells)


def workbook_rows(response):
    """The rows of the first sheet of an xlsx download, as the sheet holds them."""
    import io

    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()
