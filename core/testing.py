"""Test helpers shared by every app that need no app: the text and the rows of an xlsx download, a Word document
and a picture to upload, a scripted stand-in for the caged workbook reader.

Domain-free like the rest of core: the small county is org.testing's, users holding built-in roles and the
users and units of the view-test base (core.view_testing) are accounts.testing's.
"""

import functools
import io
import json
from pathlib import Path


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


SCRIPTED_READER = Path(__file__).with_name("tests") / "scripted_workbook_child.py"


def script_the_reader(monkeypatch):
    """Run core/tests/scripted_workbook_child.py instead of the caged reader (its output is scripted: what the
    parent does while frames are still to come, or when the reader fails halfway). Returns a function turning
    the steps (`reader_sends`, ["flush"], ["wait", path], ["exit", status]) into the "file" to read."""
    from core.importing import ZIP_MAGIC, cage

    monkeypatch.setattr(cage, "_CHILD", SCRIPTED_READER)
    return lambda *steps: ZIP_MAGIC + json.dumps(steps).encode()


def reader_sends(kind, payload):
    """The step of a scripted reader that sends the frame (kind, payload)."""
    return ["send", kind, payload]


def reader_opens(rows, name="台账", merged=()):
    """The steps before a sheet's rows: the workbook, its one sheet, and the sheet with its row count."""
    return [reader_sends("workbook", {"format": "xlsx"}),
            reader_sends("sheets", [{"index": 0, "name": name, "visible": True}]),
            reader_sends("sheet", {"index": 0, "name": name, "visible": True, "refused": None, "rows": rows,
                                   "merged": [list(map(list, pair)) for pair in merged]})]


AXE_SCRIPT = Path(__file__).resolve().parent.parent / "node_modules" / "axe-core" / "axe.min.js"
AXE_TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]
AXE_WIDTHS = (1366, 390)  # a desk and a phone
# A page is checked once the parts it loads after itself (htmx, hx-trigger="load") are in.
HTMX_SETTLED = "() => !document.querySelector('[hx-trigger~=load], .htmx-request')"
SETTLE_TIMEOUT = 60000  # ms: a dashboard's deferred figures take a while on a busy test machine
# One entry per failing element: the rule, the element's CSS selector and axe's reason (e.g. the contrast found).
AXE_RUN = """tags => axe.run(document, {runOnly: {type: 'tag', values: tags}, resultTypes: ['violations']})
  .then(result => result.violations.flatMap(rule => rule.nodes.map(node => ({
    id: rule.id, target: node.target.join(' '),
    why: [...node.any, ...node.all, ...node.none][0]?.message || rule.help,
  }))))"""


def address(page):
    return page.url.split("#")[0]  # an anchor moves within the page, it is no other page


@functools.cache
def axe_source():
    return AXE_SCRIPT.read_text(encoding="utf-8")


class AxeAudit:
    """axe-core (the pinned copy in node_modules, never a CDN) on every page a browser test loads, at each width
    of AXE_WIDTHS, against WCAG 2.1 A/AA. Pages report their loads to `watch`; `sweep` checks the pages still
    open as they stand (a form's errors, a filtered list), then revisits in the same signed-in context every
    other address they loaded. Each address is checked once per context and width; the answer is one line per
    failing node: rule, CSS target, address and width."""

    def __init__(self):
        self.loaded = {}  # browser context -> the addresses its pages loaded, in order
        self.checked = set()  # (context, address, width)

    def watch(self, page):
        page.on("load", lambda loaded: self._record(loaded))

    def _record(self, page):
        if page.url.startswith("http"):
            self.loaded.setdefault(page.context, {})[address(page)] = None

    def check(self, page):
        """Violations on the page as it stands, at every width not checked yet for its address."""
        url, context = address(page), page.context
        widths = [width for width in AXE_WIDTHS if (context, url, width) not in self.checked]
        if not url.startswith("http") or not widths:
            return []
        page.wait_for_function(HTMX_SETTLED, timeout=SETTLE_TIMEOUT)
        if not page.evaluate("() => Boolean(window.axe)"):
            # The text of the script, evaluated: a <script> tag of it would be inline code, refused by the CSP.
            page.evaluate(axe_source())
        original = page.viewport_size
        found = []
        for width in widths:
            page.set_viewport_size({"width": width, "height": original["height"]})
            violations = page.evaluate(AXE_RUN, AXE_TAGS)
            found += [f"{v['id']} · {v['target']} · {url} · {width}px · {v['why']}" for v in violations]
            self.checked.add((context, url, width))
        page.set_viewport_size(original)
        return found

    def sweep(self):
        found = []
        for context, urls in self.loaded.items():
            for page in context.pages:
                found += self.check(page)
            unchecked = [url for url in urls if any((context, url, w) not in self.checked for w in AXE_WIDTHS)]
            if unchecked:
                page = context.new_page()
                for url in unchecked:
                    page.goto(url)
                    found += self.check(page)
                    self.checked.update((context, url, width) for width in AXE_WIDTHS)
                page.close()
        self.loaded.clear()
        return found

