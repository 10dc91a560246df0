"""Reading what the page sends: an upload streamed into a new job, and small JSON bodies.

The upload is parsed as it arrives (python-multipart) and written straight into the job's
folder of the app's private temporary folder, never to the system's temporary folder,
and cut off at the limit. The file name the browser sent is kept only as text to show.
"""

from __future__ import annotations

import contextlib
import json

from python_multipart.multipart import parse_options_header
from starlette.exceptions import HTTPException
from starlette.requests import ClientDisconnect, Request

from .jobs import Jobs

JSON_BODY_MAX = 64 * 1024
TEXT_OPTION_MAX = 200


class Upload:
    """Callbacks for the multipart parser: the ``file`` part goes to a new job's folder."""

    def __init__(self, jobs: Jobs, limit: int):
        self.jobs, self.limit = jobs, limit
        self.job = None
        self.size = 0
        self.too_large = False
        self._file = None
        self._headers: dict[bytes, bytes] = {}
        self._field = b""
        self._value = b""

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._begin,
            "on_header_field": lambda d, s, e: setattr(self, "_field", self._field + d[s:e]),
            "on_header_value": lambda d, s, e: setattr(self, "_value", self._value + d[s:e]),
            "on_header_end": self._header_end,
            "on_headers_finished": self._headers_done,
            "on_part_data": self._data,
            "on_part_end": self._end,
        }

    def _begin(self):
        self._headers, self._field, self._value = {}, b"", b""

    def _header_end(self):
        self._headers[self._field.strip().lower()] = self._value.strip()
        self._field, self._value = b"", b""

    def _headers_done(self):
        _, params = parse_options_header(self._headers.get(b"content-disposition", b""))
        if params.get(b"name") == b"file" and b"filename" in params and self.job is None:
            name = params[b"filename"].decode("utf-8", "replace")
            self.job = self.jobs.new(name)
            self._file = open(self.job.input, "xb")  # noqa: SIM115 - closed in _end or discard

    def _data(self, data, start, end):
        if self._file is None:
            return
        self.size += end - start
        if self.size > self.limit:
            self.too_large = True
            self._file.close()
            self._file = None
            return
        self._file.write(data[start:end])

    def _end(self):
        if self._file is not None:
            self._file.close()
            self._file = None

    def discard(self):
        self._end()
        if self.job is not None:
            self.jobs.close(self.job.id)
            self.job = None


async def drain(request: Request) -> None:
    with contextlib.suppress(ClientDisconnect):
        async for _ in request.stream():
            pass


async def read_json(request: Request) -> dict:
    body = b""
    async for chunk in request.stream():
        body += chunk
        if len(body) > JSON_BODY_MAX:
            raise HTTPException(400)
    try:
        value = json.loads(body or b"{}")
    except ValueError:
        raise HTTPException(400) from None
    if not isinstance(value, dict):
        raise HTTPException(400)
    return value


def text_option(value) -> str | None:
    if value is None or isinstance(value, bool):
        return None
    text = str(value).strip()
    return text[:TEXT_OPTION_MAX] if text else None


def number_option(value):
    """A whole number from the page; anything else as text, for the library to refuse in words."""
    if value is None or value == "" or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    text = str(value).strip()[:TEXT_OPTION_MAX]
    return int(text) if text.isdigit() else text


__all__ = ["JSON_BODY_MAX", "Upload", "drain", "number_option", "read_json", "text_option"]
