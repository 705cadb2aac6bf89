"""Request bodies as the screen accepts them: capped in size while read, shallow JSON only.

A body is read from the stream and refused (413) the moment it passes the route's limit, so
a 200 MB upload never sits in memory; JSON nested deeper than our shapes ever need is refused
(400) before the parser sees it, so it cannot exhaust the parser's recursion.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator

MAX_DEPTH = 8  # the deepest body we take is {"answer": {...}}: depth 2


class BodyRefused(Exception):
    """A body we do not read further; `status` is 400, 413 or 415."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


async def read_capped(
    chunks: AsyncIterator[bytes], limit: int, declared_length: str | None
) -> bytes:
    """The whole body, or BodyRefused(413) as soon as it is longer than `limit` bytes."""
    too_big = BodyRefused(413, f"the request body is larger than {limit} bytes")
    if declared_length is not None:
        try:
            if int(declared_length) > limit:
                raise too_big
        except ValueError:
            raise BodyRefused(400, "the Content-Length header is not a number") from None
    body = bytearray()
    async for chunk in chunks:
        body += chunk
        if len(body) > limit:
            raise too_big
    return bytes(body)


def json_depth(text: str) -> int:
    """How deeply arrays and objects nest in `text` (strings skipped; not a validator)."""
    depth = deepest = 0
    in_string = escaped = False
    for char in text:
        if in_string:
            if escaped:
                escaped = False
            elif char == "\\":
                escaped = True
            elif char == '"':
                in_string = False
        elif char == '"':
            in_string = True
        elif char in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif char in "]}":
            depth -= 1
    return deepest


def parse_object(body: bytes, max_depth: int = MAX_DEPTH) -> dict[str, object]:
    """A JSON object from a body, or BodyRefused(400) saying what is wrong with it."""
    try:
        text = body.decode("utf-8")
    except UnicodeDecodeError:
        raise BodyRefused(400, "the request body is not UTF-8 text") from None
    if json_depth(text) > max_depth:
        raise BodyRefused(400, f"the request body nests deeper than {max_depth} levels")
    try:
        data = json.loads(text)
    except ValueError:
        raise BodyRefused(400, "the request body is not JSON") from None
    if not isinstance(data, dict):
        raise BodyRefused(400, "the request body must be a JSON object")
    return data
