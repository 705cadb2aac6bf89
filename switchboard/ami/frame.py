"""AMI wire format: a message is `Key: Value` lines, CRLF-ended, closed by a blank line."""

from __future__ import annotations

from collections.abc import Iterable

EOL = b"\r\n"
END_OF_MESSAGE = b"\r\n\r\n"
BANNER_PREFIX = "Asterisk Call Manager/"

Fields = dict[str, str]


class FrameError(ValueError):
    """A message that does not follow the `Key: Value` form; the text says where."""


def parse_message(block: bytes) -> Fields:
    """Turn one message (with or without its closing blank line) into ordered fields."""
    return parse_text(block.decode("utf-8", "replace"))


def parse_text(text: str) -> Fields:
    """`parse_message` for a message already decoded (the reader decodes many at once)."""
    try:
        # Fast path: every Asterisk line carries ": ", even for empty values ("AccountCode: ").
        fields = dict(line.split(": ", 1) for line in text.split("\r\n") if line)
    except ValueError:
        fields = _parse_tolerant(text)
    if not fields:
        raise FrameError("empty message")
    return fields


def _parse_tolerant(text: str) -> Fields:
    fields: Fields = {}
    for number, line in enumerate(text.split("\r\n"), start=1):
        if not line:
            continue
        key, sep, value = line.partition(": ")
        if not sep:
            if line.endswith(":"):  # "Key:" with the value left off entirely
                key, value = line[:-1], ""
            else:
                # Never echo the line itself: it may carry caller data.
                raise FrameError(
                    f"line {number} has no 'Key: Value' separator ({len(line)} characters)"
                )
        if not key or key != key.strip():
            raise FrameError(f"line {number} has an empty or padded key")
        fields[key] = value
    return fields


def encode_message(fields: Iterable[tuple[str, str]]) -> bytes:
    """Encode an action as AMI bytes; refuses values that would break the framing."""
    out = []
    for key, value in fields:
        if "\r" in value or "\n" in value or "\r" in key or "\n" in key:
            raise FrameError(f"field {key!r} contains a line break")
        out.append(f"{key}: {value}\r\n")
    out.append("\r\n")
    return "".join(out).encode("utf-8")
