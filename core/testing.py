"""Test helpers shared by every app that need no app: the text and the rows of an xlsx download, a Word document
and a picture to upload.

Domain-free like the rest of core: the small county is org.testing's, users holding built-in roles and the
users and units of the view-test base (core.view_testing) are accounts.testing's.
"""

import io


def export_text(response):
    """All cell text of an xlsx download, for assertions about what an export contains."""
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
    from python_calamine import CalamineWorkbook

    assert response.status_code == 200, response.status_code
    assert response["Content-Type"].startswith("application/vnd.openxmlformats-officedocument.spreadsheetml")
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_index(0).to_python()


# The smallest PNG there is (1×1 pixel), for uploads.
PNG = bytes.fromhex("89504e470d0a1a0a0000000d4948445200000001000000010806000000"
                    "1f15c4890000000d49444154789c6360000002000154a24f5d0000000049454e44ae426082")


def docx_bytes(text):
    """A Word document holding one paragraph of `text`."""
    import docx

    document = docx.Document()
    document.add_paragraph(text)
    buffer = io.BytesIO()
    document.save(buffer)
    return buffer.getvalue()
