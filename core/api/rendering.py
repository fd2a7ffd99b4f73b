"""JSON as a Chinese reader expects it: characters as they are (UTF-8), not \\uXXXX escapes."""

from ninja.renderers import JSONRenderer


class Utf8JSONRenderer(JSONRenderer):
    json_dumps_params = {"ensure_ascii": False}
