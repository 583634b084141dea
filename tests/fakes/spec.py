"""Bot API specification loader and request validator for the fake Telegram server.

The specification is the machine-readable Bot API 10.0 (the version python-telegram-bot 22.8
speaks) from PaulSonOfLars/telegram-bot-api-spec (MIT licence, Copyright (c) 2020 Paul Larsen),
vendored in compact form as ``bot_api_10_0.json`` next to this module: only names, types,
required flags and the constant ``type`` discriminators are kept. Regenerate it with
``python -m tests.fakes.spec /work/shared/telegram-bot-api/api-10.0.json``.
"""

from __future__ import annotations

import json
import math
import os
import re
import sys
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

SPEC_PATH = Path(__file__).with_name("bot_api_10_0.json")
SPEC_ENV = "LOTSE_BOT_API_SPEC"
PRIMITIVES = frozenset({"Integer", "Float", "Boolean", "String", "InputFile"})
_INT_RE = re.compile(r"[+-]?\d+")
_CONST_RE = re.compile(r'(?:must be|always) "?([a-z_]+)"?$')


class ApiError(Exception):
    """An error answer of the Bot API (``ok: false``)."""

    def __init__(
        self,
        status: int,
        description: str,
        *,
        retry_after: int | None = None,
        record: bool = True,
    ) -> None:
        """Create the error; ``record=False`` keeps it out of the server's rejection log."""
        super().__init__(description)
        self.status = status
        self.description = description
        self.retry_after = retry_after
        self.record = record
        self.depth = 0.0


def bad_request(detail: str) -> ApiError:
    """Return a 400 error whose description starts with ``Bad Request:``."""
    return ApiError(400, f"Bad Request: {detail}")


@dataclass(frozen=True)
class UploadedFile:
    """A file part of a multipart/form-data request."""

    part_name: str
    filename: str | None
    content_type: str | None
    data: bytes


@dataclass(frozen=True)
class FieldSpec:
    """A parameter of a method or a field of an object type."""

    name: str
    types: tuple[str, ...]
    required: bool
    const: str | None = None


@dataclass(frozen=True)
class TypeSpec:
    """An object type (``fields``) or an abstract union type (``subtypes``)."""

    name: str
    fields: Mapping[str, FieldSpec] | None
    subtypes: tuple[str, ...] = ()


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method."""

    name: str
    fields: Mapping[str, FieldSpec]
    returns: tuple[str, ...]


def compact_spec(raw: Mapping[str, Any]) -> dict[str, Any]:
    """Reduce a full api.json (or an already compact one) to what validation needs."""
    if raw.get("compact"):
        return dict(raw)

    def fields(items: list[dict[str, Any]]) -> list[list[Any]]:
        out: list[list[Any]] = []
        for item in items:
            entry: list[Any] = [item["name"], item["types"], item["required"]]
            if item["name"] == "type":
                match = _CONST_RE.search(item.get("description", ""))
                if match:
                    entry.append(match.group(1))
            out.append(entry)
        return out

    return {
        "compact": True,
        "source": "PaulSonOfLars/telegram-bot-api-spec api.json (MIT, (c) 2020 Paul Larsen)",
        "version": raw["version"],
        "methods": {
            name: {"returns": m["returns"], "fields": fields(m.get("fields", []))}
            for name, m in raw["methods"].items()
        },
        "types": {
            name: {"subtypes": t["subtypes"]}
            if "subtypes" in t
            else {"fields": fields(t["fields"])}
            if "fields" in t
            else {}
            for name, t in raw["types"].items()
        },
    }


def _field_specs(items: list[list[Any]]) -> dict[str, FieldSpec]:
    return {
        item[0]: FieldSpec(
            item[0], tuple(item[1]), bool(item[2]), item[3] if len(item) > 3 else None
        )
        for item in items
    }


def _depth(where: str) -> int:
    return where.count(".") + where.count("[")


def _err(where: str, detail: str, progress: float = 0.0) -> ApiError:
    """Return a 400 error for the value at ``where``; ``progress`` ranks union candidates."""
    error = bad_request(detail)
    error.depth = _depth(where) + progress
    return error


def utf16_len(text: str) -> int:
    """Length of ``text`` in UTF-16 code units, the way Telegram counts characters."""
    return len(text.encode("utf-16-le")) // 2


def _describe(value: object) -> str:
    text = json.dumps(value, ensure_ascii=False) if not isinstance(value, UploadedFile) else "file"
    return text if len(text) <= 40 else text[:37] + "..."


def _check_inline_button(button: Mapping[str, Any], where: str) -> None:
    if not button.get("text"):
        raise _err(where, f"BUTTON_TEXT_EMPTY: {where}.text must be non-empty")
    actions = [k for k in button if k not in ("text", "icon_custom_emoji_id", "style")]
    if not actions:
        raise _err(
            where,
            f"can't parse inline keyboard button: {where} has no action field "
            "(callback_data, url, ...): text buttons are unallowed in the inline keyboard",
        )
    if len(actions) > 1:
        raise _err(
            where,
            f"can't parse inline keyboard button: {where} must use exactly one of its "
            f"action fields, got {', '.join(actions)}",
        )
    data = button.get("callback_data")
    if data is not None and not 1 <= len(data.encode("utf-8")) <= 64:
        raise _err(
            where,
            f"BUTTON_DATA_INVALID: {where}.callback_data must be 1-64 bytes, "
            f"got {len(data.encode('utf-8'))}",
        )


def _check_keyboard_button(button: Mapping[str, Any], where: str) -> None:
    if not button.get("text"):
        raise _err(where, f"BUTTON_TEXT_EMPTY: {where}.text must be non-empty")
    actions = [k for k in button if k not in ("text", "icon_custom_emoji_id", "style")]
    if len(actions) > 1:
        raise _err(where, f"{where} must use at most one of {', '.join(actions)}")


def _check_bot_command(command: Mapping[str, Any], where: str) -> None:
    name = command["command"]
    if not 1 <= len(name) <= 32 or not re.fullmatch(r"[a-z0-9_]+", name):
        raise _err(
            where,
            f"BOT_COMMAND_INVALID: {where}.command {name!r} must be 1-32 characters of "
            "lowercase English letters, digits and underscores",
        )
    if not 1 <= utf16_len(command["description"]) <= 256:
        raise _err(
            where, f"BOT_COMMAND_DESCRIPTION_INVALID: {where}.description must be 1-256 characters"
        )


OBJECT_CHECKS: dict[str, Callable[[Mapping[str, Any], str], None]] = {
    "InlineKeyboardButton": _check_inline_button,
    "KeyboardButton": _check_keyboard_button,
    "BotCommand": _check_bot_command,
}


class BotApiSpec:
    """The methods and types of one Bot API version, with a strict validator."""

    def __init__(self, raw: Mapping[str, Any]) -> None:
        """Build from the (full or compact) JSON document."""
        data = compact_spec(raw)
        self.version: str = data["version"]
        self.methods: dict[str, MethodSpec] = {
            name.lower(): MethodSpec(name, _field_specs(m["fields"]), tuple(m["returns"]))
            for name, m in data["methods"].items()
        }
        self.types: dict[str, TypeSpec] = {
            name: TypeSpec(
                name,
                _field_specs(t["fields"]) if "fields" in t else None,
                tuple(t.get("subtypes", ())),
            )
            for name, t in data["types"].items()
        }

    def method(self, name: str) -> MethodSpec | None:
        """Look a method up case-insensitively, like the Bot API does."""
        return self.methods.get(name.lower())

    def validate_params(
        self,
        method: MethodSpec,
        params: Mapping[str, tuple[Any, bool]],
        files: Mapping[str, UploadedFile],
    ) -> dict[str, Any]:
        """Check request parameters; ``params`` maps name to (value, value_is_raw_string)."""
        out: dict[str, Any] = {}
        consumed: set[str] = set()
        for name, (value, raw) in params.items():
            field = method.fields.get(name)
            if field is None:
                raise bad_request(f'unknown parameter "{name}" for method {method.name}')
            if value is None:
                continue
            if isinstance(value, str) and value.startswith("attach://"):
                if "InputFile" not in field.types:
                    raise bad_request(f'parameter "{name}" can\'t be an attach:// URI')
                part = value.removeprefix("attach://")
                if part not in files:
                    raise bad_request(f'file part "{part}" referenced by "{name}" not found')
                consumed.add(part)
                out[name] = self.check_value(files[part], field.types, name, raw=False)
                continue
            out[name] = self.check_value(value, field.types, name, raw=raw)
        for part, upload in files.items():
            if part in consumed:
                continue
            field = method.fields.get(part)
            if field is None:
                raise bad_request(f'unknown parameter (file part) "{part}" for {method.name}')
            if part in out:
                raise bad_request(f'parameter "{part}" given twice')
            out[part] = self.check_value(upload, field.types, part, raw=False)
        for field in method.fields.values():
            if field.required and field.name not in out:
                raise bad_request(f'required parameter "{field.name}" is missing')
        return out

    def check_value(self, value: Any, types: tuple[str, ...], where: str, *, raw: bool) -> Any:
        """Validate ``value`` against a union of spec types; return it converted."""
        errors: list[ApiError] = []
        for type_name in types:
            try:
                return self._check_one(value, type_name, where, raw=raw)
            except ApiError as error:
                errors.append(error)
        if len(errors) == 1:
            raise errors[0]
        # Prefer an error from deep inside an object over a shallow type mismatch.
        deep = [e for e in errors if "expected" not in e.description]
        if deep:
            raise deep[0]
        raise _err(where, f"{where} must be {' or '.join(types)}, got {_describe(value)}")

    def _check_one(self, value: Any, type_name: str, where: str, *, raw: bool) -> Any:
        if type_name.startswith("Array of "):
            inner = type_name.removeprefix("Array of ")
            if raw and isinstance(value, str):
                value = self._json(value, where)
            if not isinstance(value, list):
                raise _err(where, f"{where}: expected {type_name}, got {_describe(value)}")
            return [
                self.check_value(item, (inner,), f"{where}[{i}]", raw=False)
                for i, item in enumerate(value)
            ]
        if type_name in PRIMITIVES:
            return self._check_primitive(value, type_name, where, raw=raw)
        spec = self.types.get(type_name)
        if spec is None:
            raise _err(where, f"{where}: unknown type {type_name} in the specification")
        if raw and isinstance(value, str):
            value = self._json(value, where)
        if spec.subtypes:
            return self.check_value(value, spec.subtypes, where, raw=False)
        if not isinstance(value, dict):
            raise _err(where, f"{where}: expected {type_name} object, got {_describe(value)}")
        if spec.fields is None:
            return value
        for key in value:
            if key not in spec.fields:
                raise _err(
                    where, f'can\'t parse {where}: unknown field "{key}" in {type_name}', 0.2
                )
        for field in spec.fields.values():
            if field.const is not None and value.get(field.name) != field.const:
                raise _err(
                    where,
                    f'{where}.{field.name}: expected "{field.const}" for {type_name}, '
                    f"got {_describe(value.get(field.name))}",
                    0.1,
                )
        out: dict[str, Any] = {}
        for field in spec.fields.values():
            item = value.get(field.name)
            if item is None:
                if field.required:
                    raise _err(
                        where,
                        f'can\'t parse {where}: field "{field.name}" of {type_name} is required',
                        0.5,
                    )
                continue
            out[field.name] = self.check_value(
                item, field.types, f"{where}.{field.name}", raw=False
            )
        check = OBJECT_CHECKS.get(type_name)
        if check is not None:
            check(out, where)
        return out

    @staticmethod
    def _json(value: str, where: str) -> Any:
        try:
            return json.loads(value)
        except ValueError:
            raise _err(where, f"can't parse {where} JSON object") from None

    @staticmethod
    def _check_primitive(value: Any, type_name: str, where: str, *, raw: bool) -> Any:
        def mismatch() -> ApiError:
            return _err(where, f"{where}: expected {type_name}, got {_describe(value)}")

        if type_name == "InputFile":
            if isinstance(value, UploadedFile):
                return value
            raise mismatch()
        if isinstance(value, UploadedFile):
            raise mismatch()
        if type_name == "String":
            if isinstance(value, str):
                return value
            raise mismatch()
        if raw and isinstance(value, str):
            if type_name == "Integer" and _INT_RE.fullmatch(value):
                return int(value)
            if type_name == "Boolean" and value.lower() in ("true", "false", "1", "0"):
                return value.lower() in ("true", "1")
            if type_name == "Float":
                try:
                    number = float(value)
                except ValueError:
                    raise mismatch() from None
                if math.isfinite(number):
                    return number
            raise mismatch()
        if isinstance(value, bool):
            if type_name == "Boolean":
                return value
            raise mismatch()
        if type_name == "Integer" and isinstance(value, int):
            return value
        if type_name == "Float" and isinstance(value, int | float) and math.isfinite(value):
            return float(value)
        raise mismatch()


@cache
def load_spec(path: str | None = None) -> BotApiSpec:
    """Load the spec from ``path``, ``$LOTSE_BOT_API_SPEC`` or the vendored compact file."""
    source = Path(path or os.environ.get(SPEC_ENV) or SPEC_PATH)
    return BotApiSpec(json.loads(source.read_text(encoding="utf-8")))


def _main(argv: list[str]) -> None:
    """Write the compact spec from a full api.json given on the command line."""
    raw = json.loads(Path(argv[1]).read_text(encoding="utf-8"))
    SPEC_PATH.write_text(
        json.dumps(compact_spec(raw), separators=(",", ":"), ensure_ascii=False) + "\n",
        encoding="utf-8",
    )


if __name__ == "__main__":
    _main(sys.argv)
