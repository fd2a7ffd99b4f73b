"""The caged reader's checks of a zip archive and its XML parts, before calamine sees them (run in the child
process of core/workbook_child.py: standard library only). Each broken limit raises `Refused`."""

import io
import re
import struct
import threading
import zipfile
from xml.etree import ElementTree

ZIP_MAGIC = b"PK\x03\x04"
OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
ODS_MIMETYPE = b"application/vnd.oasis.opendocument.spreadsheet"

CHUNK = 4 * 1024 * 1024
DEPTH_WINDOW = 2048  # bytes; see DepthMeter

# Parts that are not XML and that nothing parses as XML (images, printer settings, embedded binaries).
# Worksheet and shared-string parts are always checked as XML, whatever they are called.
BINARY_EXTENSIONS = (".png", ".jpg", ".jpeg", ".gif", ".bmp", ".tif", ".tiff", ".emf", ".wmf", ".ico", ".bin",
                     ".wdp", ".jfif", ".webp")


class Refused(Exception):
    """The file breaks a limit (or is not a workbook). `code` names the problem, `params` its figures."""

    def __init__(self, code, **params):
        super().__init__(code)
        self.code = code
        self.params = params


# ---------------------------------------------------------------------------------------------------------
# Checks on XML parts


def column_number(letters):
    number = 0
    for char in letters:
        number = number * 26 + ord(char) - 64
    return number


def column_letter(index):
    """0 → A, 25 → Z, 26 → AA."""
    letters = ""
    index += 1
    while index:
        index, remainder = divmod(index - 1, 26)
        letters = chr(65 + remainder) + letters
    return letters


# A DTD or entity declaration anywhere in a part, as UTF-8 (UTF-16 parts are refused before this is looked for).
_DTD = re.compile(rb"<!(?:DOCTYPE|ENTITY)")
# Every markup construct, for the exact depth count: comments, CDATA, processing instructions and declarations
# (their name group is empty), then tags: (close slash, name, self-closing slash). Attribute values may hold ">".
_MARKUP = re.compile(
    rb"<!--.*?-->|<!\[CDATA\[.*?\]\]>|<\?.*?\?>|<!(?:[^>\"']|\"[^\"]*\"|'[^']*')*>"
    rb"|<(/?)([^\s/>!?][^\s/>]*)(?:[^>\"']|\"[^\"]*\"|'[^']*')*?(/?)>",
    re.S,
)
_UNTERMINATED = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


class DepthMeter:
    """The nesting depth of an XML part fed in pieces that each end before a "<" (see `xml_buffers`).

    Counting every tag would cost about a second per 100 MB of sheet XML in Python, so most of the text is
    vouched for by counts: in a window of text that holds no comment, CDATA, declaration or processing
    instruction and in which every ">" ends a tag (as many ">" as "<"), each "/>" closes an empty element, so
    the depth inside the window is at most the depth at its start plus the window's opening tags that are
    not empty elements (plus one), and the depth at its end is exact. Only windows where that bound could
    pass the limit are tokenised exactly.
    """

    def __init__(self, limit):
        self.limit = limit
        self.depth = 0

    def feed(self, buffer, special):
        """`special`: whether the piece may hold "<!" or "<?" (comments, CDATA, declarations, processing
        instructions), which the caller has looked for already."""
        if special or buffer.count(b"<") != buffer.count(b">"):
            self._exact(buffer)
            return
        count, rfind, limit = buffer.count, buffer.rfind, self.limit
        position, length = 0, len(buffer)
        while position < length:
            end = position + DEPTH_WINDOW
            if end < length:
                cut = rfind(b"<", position + 1, end)
                end = cut if cut > position else end
            else:
                end = length
            opens = count(b"<", position, end)
            closes = count(b"</", position, end)
            empty = count(b"/>", position, end)
            if self.depth + opens - closes - empty + 1 > limit:
                self._exact(buffer[position:end])
            else:
                self.depth += opens - 2 * closes - empty
            position = end

    def _exact(self, text):
        depth, limit = self.depth, self.limit
        for close, name, empty in _MARKUP.findall(text):
            if not name:
                continue
            if close:
                depth -= 1
            elif not empty:
                depth += 1
                if depth > limit:
                    raise Refused("xml_depth", limit=limit)
        self.depth = max(depth, 0)


class Budget:
    """A running total with a limit: what the archive unpacks to, counted as it is actually inflated (the
    sizes in a zip can lie), or the text an .xls holds, counted as its rows go by."""

    def __init__(self, limit, code):
        self.limit = limit
        self.code = code
        self.used = 0

    def spend(self, size):
        self.used += size
        if self.used > self.limit:
            raise Refused(self.code, limit=self.limit)


def _cut(buffer, declarations, instructions):
    """Where to split `buffer` so that the first piece ends before a "<" and cuts no comment, CDATA or
    processing instruction in two: the piece's text then holds only whole tags. `declarations` and
    `instructions`: whether "<!" and "<?" occur in `buffer` at all."""
    cut = buffer.rfind(b"<")
    for start, end in _UNTERMINATED:
        if not (declarations if start[1:2] == b"!" else instructions):
            continue
        opening = buffer.rfind(start)
        if opening >= 0 and buffer.find(end, opening + len(start)) < 0:
            cut = min(cut, opening)
    return cut


def xml_buffers(archive, name, limits, budget, *, depth=True):
    """The part `name` in pieces of about 4 MB, each ending before a "<", after checking each for a DTD or
    entity declaration and (unless `depth` is false: see `DeferredDepth`) for nesting depth. UTF-16 parts
    are refused (no office program writes them)."""
    meter = DepthMeter(limits["max_xml_depth"]) if depth else None
    tail = b""
    first = True
    try:
        with archive.open(name) as stream:
            while True:
                chunk = stream.read(CHUNK)
                budget.spend(len(chunk))
                buffer = tail + chunk
                if first and (buffer[:2] in (b"\xff\xfe", b"\xfe\xff") or b"\x00" in buffer[:64]):
                    raise Refused("xml_encoding", part=name)
                # Whether the text holds declarations or processing instructions: one quick scan each, for
                # the cut, the DTD check and the depth count.
                declarations, instructions = b"<!" in buffer, b"<?" in buffer
                if chunk:
                    cut = _cut(buffer, declarations, instructions)
                    if cut <= 0:
                        tail = buffer
                        continue
                    buffer, tail = buffer[:cut], buffer[cut:]
                if declarations and _DTD.search(buffer):
                    raise Refused("dtd", part=name)
                if meter is not None:
                    skip = _declaration_end(buffer) if first else 0
                    if skip:
                        buffer_after = buffer[skip:]
                        meter.feed(buffer_after, declarations or b"<?" in buffer_after)
                    else:
                        meter.feed(buffer, declarations or instructions)
                first = False
                yield buffer
                if not chunk:
                    return
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError, KeyError) as exc:
        raise Refused("damaged") from exc


def _declaration_end(buffer):
    """Where the XML declaration (<?xml ...?>, after an optional byte-order mark) ends, 0 without one."""
    start = 3 if buffer.startswith(b"\xef\xbb\xbf") else 0
    while buffer[start:start + 1] in (b" ", b"\t", b"\r", b"\n"):
        start += 1
    if not buffer.startswith(b"<?xml", start):
        return 0
    end = buffer.find(b"?>", start)
    return end + 2 if end > 0 else 0


class DeferredDepth:
    """The depth of the worksheets calamine streams, checked in a thread while calamine reads the workbook.

    calamine parses XML as a stream, so deep nesting costs it nothing; it is refused all the same, but
    counting it costs about half a second per 100 MB of sheet XML, so that runs beside calamine (which
    releases the GIL while it reads) instead of before it. Everything that protects memory — sizes, shared
    strings, expansion — is checked before calamine starts. Nothing of a sheet is sent before `wait()`.
    """

    def __init__(self, archive, parts, limits):
        self.error = None
        self.thread = threading.Thread(target=self._run, args=(archive, parts, limits), daemon=True)
        self.thread.start()

    def _run(self, archive, parts, limits):
        try:
            budget = Budget(limits["max_unpacked"], "unpacked")
            for part in parts:
                for _ in xml_buffers(archive, part, limits, budget):
                    pass
        except BaseException as exc:  # noqa: BLE001 (handed to the main thread by wait())
            self.error = exc
        finally:
            archive.close()

    def wait(self):
        self.thread.join()
        if self.error is not None:
            raise self.error


def check_part(archive, info, limits, budget):
    """Inflate one part completely (its CRC is checked at the end); XML parts go through `xml_buffers`."""
    if info.filename.lower().endswith(BINARY_EXTENSIONS):
        try:
            with archive.open(info) as stream:
                while chunk := stream.read(CHUNK):
                    budget.spend(len(chunk))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
            raise Refused("damaged") from exc
        return
    for _ in xml_buffers(archive, info.filename, limits, budget):
        pass


def read_small_part(archive, name, limits, budget, max_bytes=16 * 1024 * 1024):
    """A small structural part (workbook, relationships), checked like any XML part, then parsed."""
    try:
        info = archive.getinfo(name)
    except KeyError:
        return None
    if info.file_size > max_bytes:
        raise Refused("damaged")
    text = b"".join(xml_buffers(archive, name, limits, budget))
    try:
        return ElementTree.fromstring(text)  # noqa: S314 (no DTD: refused above; depth checked)
    except ElementTree.ParseError as exc:
        raise Refused("damaged") from exc


# ---------------------------------------------------------------------------------------------------------
# The archive


def open_archive(data, limits):
    # The entry count from the end of the central directory, before zipfile builds an object per entry.
    record = data.rfind(b"PK\x05\x06", max(0, len(data) - 65_600))
    if record >= 0 and len(data) >= record + 12:
        (entries,) = struct.unpack_from("<H", data, record + 10)
        if entries > 10 * limits["max_entries"]:
            raise Refused("entries", count=entries, limit=limits["max_entries"])
    try:
        archive = zipfile.ZipFile(io.BytesIO(data))
        infos = archive.infolist()
    except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
        raise Refused("damaged") from exc
    if sum(info.file_size for info in infos) > limits["max_unpacked"]:
        raise Refused("unpacked", limit=limits["max_unpacked"])
    ratio = limits["max_ratio"]
    if any(info.file_size > limits["ratio_check_bytes"] and info.file_size > ratio * max(info.compress_size, 1)
           for info in infos):
        raise Refused("ratio", limit=ratio)
    return archive


def check_entries(archive, limits):
    count = len(archive.infolist())
    if count > limits["max_entries"]:
        raise Refused("entries", count=count, limit=limits["max_entries"])


def detect_format(data):
    if data.startswith(OLE_MAGIC):
        if "EncryptedPackage".encode("utf-16-le") in data:
            raise Refused("password")  # an .xlsx with an opening password is an OLE file holding it encrypted
        return "xls"
    if not data.startswith(ZIP_MAGIC):
        raise Refused("not_spreadsheet")
    return "zip"
