"""Telegram's message formatting for the fake Bot API: HTML parsing, entities, UTF-16 lengths.

Follows https://core.telegram.org/bots/api#html-style and tdlib's ``parse_html``. Stricter than
Telegram in one documented point: every ``&`` must start a valid entity (``&lt; &gt; &amp;
&quot;`` or a numeric one); Telegram keeps unknown ones such as ``&nbsp;`` literally, but the
docs require escaping, so the fake refuses them. Markdown/MarkdownV2 are not validated: the
fake only removes backslash escapes to get the plain text.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from typing import Any

from .spec import ApiError, bad_request, utf16_len

PARSE_MODES = ("html", "markdown", "markdownv2")
_TAGS = {
    "b": "bold",
    "strong": "bold",
    "i": "italic",
    "em": "italic",
    "u": "underline",
    "ins": "underline",
    "s": "strikethrough",
    "strike": "strikethrough",
    "del": "strikethrough",
    "span": "spoiler",
    "tg-spoiler": "spoiler",
    "a": "text_link",
    "code": "code",
    "pre": "pre",
    "blockquote": "blockquote",
    "tg-emoji": "custom_emoji",
    "tg-time": "date_time",
}
_NAMED = {"lt": "<", "gt": ">", "amp": "&", "quot": '"'}
_ENTITY_RE = re.compile(r"&(?:(lt|gt|amp|quot)|#(\d+)|#[xX]([0-9a-fA-F]+));")
_TAG_NAME_RE = re.compile(r"[a-zA-Z0-9-]*")
_ATTR_NAME_RE = re.compile(r"[a-zA-Z0-9_-]+")
_UNQUOTED_RE = re.compile(r"[^\s>'\"]+")
_MARKDOWN_ESCAPE_RE = re.compile(r"\\([\\_*\[\]()~`>#+\-=|{}.!])")


def _parse_error(detail: str) -> ApiError:
    return bad_request(f"can't parse entities: {detail}")


def _byte_offset(text: str, index: int) -> int:
    return len(text[:index].encode("utf-8"))


def _decode_entity(text: str, index: int) -> tuple[str, int]:
    """Decode the entity starting at ``text[index] == '&'``; return (char, next index)."""
    match = _ENTITY_RE.match(text, index)
    if match is None:
        bad = re.match(r"&[^\s&<;]*;?", text[index:])
        shown = bad.group(0) if bad else "&"
        raise _parse_error(
            f'unsupported HTML entity or bare "&" ("{shown}") at byte offset '
            f"{_byte_offset(text, index)}; escape & as &amp;"
        )
    named, decimal, hexadecimal = match.groups()
    if named:
        return _NAMED[named], match.end()
    code = int(decimal) if decimal else int(hexadecimal, 16)
    if not 0 < code <= 0x10FFFF or 0xD800 <= code <= 0xDFFF:
        raise _parse_error(
            f"invalid character reference at byte offset {_byte_offset(text, index)}"
        )
    return chr(code), match.end()


def _parse_attributes(text: str, index: int, tag: str, start: int) -> tuple[dict[str, str], int]:
    """Parse attributes after the tag name; return them and the index after ``>``."""
    attrs: dict[str, str] = {}
    while True:
        while index < len(text) and text[index].isspace():
            index += 1
        if index >= len(text):
            raise _parse_error(f"Unclosed start tag at byte offset {_byte_offset(text, start)}")
        if text[index] == ">":
            return attrs, index + 1
        name_match = _ATTR_NAME_RE.match(text, index)
        if name_match is None:
            raise _parse_error(
                f'Empty attribute name in the tag "{tag}" at byte offset '
                f"{_byte_offset(text, start)}"
            )
        name = name_match.group(0).lower()
        index = name_match.end()
        value = ""
        if index < len(text) and text[index] == "=":
            index += 1
            if index < len(text) and text[index] in "'\"":
                quote = text[index]
                end = text.find(quote, index + 1)
                if end < 0:
                    raise _parse_error(
                        f"Unclosed start tag at byte offset {_byte_offset(text, start)}"
                    )
                value = _decode_all(text[index + 1 : end])
                index = end + 1
            else:
                unquoted = _UNQUOTED_RE.match(text, index)
                if unquoted is None:
                    raise _parse_error(
                        f'Expected an attribute value in the tag "{tag}" at byte offset '
                        f"{_byte_offset(text, start)}"
                    )
                value = _decode_all(unquoted.group(0))
                index = unquoted.end()
        attrs[name] = value


def _decode_all(value: str) -> str:
    out: list[str] = []
    index = 0
    while index < len(value):
        if value[index] == "&":
            char, index = _decode_entity(value, index)
            out.append(char)
        else:
            out.append(value[index])
            index += 1
    return "".join(out)


def _entity_for(tag: str, attrs: dict[str, str], start: int) -> dict[str, Any]:
    """Return the MessageEntity skeleton (without length) opened by a start tag."""
    kind = _TAGS[tag]
    entity: dict[str, Any] = {"type": kind, "offset": 0}
    if tag == "a":
        if not attrs.get("href"):
            raise _parse_error(f'Tag "a" must have a non-empty "href" attribute (at {start})')
        entity["url"] = attrs["href"]
    elif tag == "span" and attrs.get("class") != "tg-spoiler":
        raise _parse_error('Tag "span" must have class "tg-spoiler"')
    elif tag == "tg-emoji":
        if not attrs.get("emoji-id"):
            raise _parse_error('Tag "tg-emoji" must have attribute "emoji-id"')
        entity["custom_emoji_id"] = attrs["emoji-id"]
    elif tag == "tg-time":
        if not re.fullmatch(r"\d+", attrs.get("unix", "")):
            raise _parse_error('Tag "tg-time" must have a numeric attribute "unix"')
        entity["unix_time"] = int(attrs["unix"])
        if "format" in attrs:
            entity["date_time_format"] = attrs["format"]
    elif tag == "blockquote" and "expandable" in attrs:
        entity["type"] = "expandable_blockquote"
    elif tag == "code" and attrs.get("class", "").startswith("language-"):
        entity["language"] = attrs["class"].removeprefix("language-")
    return entity


_SPECIAL_RE = re.compile(r"[<&]")


def parse_html(text: str) -> tuple[str, list[dict[str, Any]]]:
    """Parse Telegram HTML into plain text and MessageEntity dicts (UTF-16 offsets)."""
    out: list[str] = []
    length = 0
    stack: list[tuple[str, dict[str, Any], int]] = []
    entities: list[dict[str, Any]] = []
    index = 0
    while index < len(text):
        char = text[index]
        if char == "&":
            decoded, index = _decode_entity(text, index)
            out.append(decoded)
            length += utf16_len(decoded)
            continue
        if char != "<":
            # A run of plain text up to the next tag or entity, in one step.
            special = _SPECIAL_RE.search(text, index)
            stop = special.start() if special else len(text)
            run = text[index:stop]
            out.append(run)
            length += utf16_len(run)
            index = stop
            continue
        start = index
        if text.startswith("</", index):
            name_match = _TAG_NAME_RE.match(text, index + 2)
            assert name_match is not None
            name = name_match.group(0).lower()
            end = name_match.end()
            while end < len(text) and text[end].isspace():
                end += 1
            if end >= len(text) or text[end] != ">":
                raise _parse_error(f"Unclosed end tag at byte offset {_byte_offset(text, start)}")
            if not stack:
                raise _parse_error(
                    f"Unexpected end tag at byte offset {_byte_offset(text, start)}"
                )
            open_tag, entity, entity_start = stack.pop()
            if open_tag != name:
                raise _parse_error(
                    f"Unmatched end tag at byte offset {_byte_offset(text, start)}, expected "
                    f'"</{open_tag}>", found "</{name}>"'
                )
            if length > entity_start and not entity.pop("inside_pre", False):
                entity["offset"] = entity_start
                entity["length"] = length - entity_start
                entities.append(entity)
            index = end + 1
            continue
        name_match = _TAG_NAME_RE.match(text, index + 1)
        assert name_match is not None
        name = name_match.group(0).lower()
        if name not in _TAGS:
            raise _parse_error(
                f'Unsupported start tag "{name}" at byte offset {_byte_offset(text, start)}'
            )
        attrs, index = _parse_attributes(text, name_match.end(), name, start)
        entity = _entity_for(name, attrs, _byte_offset(text, start))
        if name == "code" and stack and stack[-1][0] == "pre":
            # <pre><code class="language-x"> is one pre entity with a language.
            if "language" in entity:
                stack[-1][1]["language"] = entity.pop("language")
            entity["inside_pre"] = True
        stack.append((name, entity, length))
    if stack:
        raise _parse_error(f'Can\'t find end tag corresponding to start tag "{stack[-1][0]}"')
    entities.sort(key=lambda e: (e["offset"], -e["length"]))
    return "".join(out), entities


def _trim(text: str, entities: list[dict[str, Any]]) -> tuple[str, list[dict[str, Any]]]:
    """Strip surrounding whitespace like Telegram does, shifting entity offsets."""
    stripped = text.strip()
    if stripped == text:
        return text, entities
    lead = utf16_len(text[: len(text) - len(text.lstrip())])
    total = utf16_len(stripped)
    trimmed: list[dict[str, Any]] = []
    for entity in entities:
        start = max(0, entity["offset"] - lead)
        end = min(total, entity["offset"] + entity["length"] - lead)
        if end > start:
            trimmed.append({**entity, "offset": start, "length": end - start})
    return stripped, trimmed


def parse_text(
    text: str,
    parse_mode: str | None,
    entities: Sequence[dict[str, Any]] | None = None,
) -> tuple[str, list[dict[str, Any]]]:
    """Return (plain text, entities) the way Telegram stores a sent text or caption."""
    if parse_mode is not None and parse_mode.lower() not in PARSE_MODES:
        raise bad_request(f"unsupported parse_mode {parse_mode!r}")
    mode = (parse_mode or "").lower()
    if mode == "html":
        plain, parsed = parse_html(text)
    elif mode:
        plain, parsed = _MARKDOWN_ESCAPE_RE.sub(r"\1", text), []
    else:
        plain, parsed = text, [dict(e) for e in entities or ()]
    return _trim(plain, parsed)
