"""Button payloads: the navigation state that lives in every inline button. Pure.

A payload is ``kind:arg:arg…`` in ASCII and never longer than Telegram's 64-byte
callback_data limit. Places (screens a user can come back to) are payloads too:

- ``m``                           the main menu
- ``n:<node>[:<town>]``           a node of the tree (with the town chosen for it)
- ``t:<node>``                    the town picker for a node
- ``s:<service>:<node>[:<town>]`` a service card, opened from a node
- ``l:<place>``                   the language picker, coming from a place
- ``L:<lang>:<place>``            switch to a language and return to the place
- ``+:<place>`` / ``-:<place>``   "this helped" / "this did not help" for the screen at place
- ``?:<node>[:<town>]``           "none of these fits" on a question screen
- ``x``                           erase this chat

Anything else, or anything with an id that is not a slug, parses to None: the engine answers
that with a friendly "this menu changed", so old and forged buttons never cause an error.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

MAX_BYTES = 64
SEP = ":"
SLUG = re.compile(r"^[a-z0-9_]{1,24}$")
LANG = re.compile(r"^[a-z]{2,3}$")
NODE_ID_MAX = 20
SERVICE_ID_MAX = 24
TOWN_ID_MAX = 14

MAIN = "m"
NODE = "n"
TOWNS = "t"
SERVICE = "s"
LANG_PICKER = "l"
LANG_SET = "L"
HELPED = "+"
NOT_HELPED = "-"
NONE_FITS = "?"
ERASE = "x"
PLACE_KINDS = frozenset({MAIN, NODE, TOWNS, SERVICE})
# Kinds whose only argument is a place payload.
WRAPPERS = frozenset({LANG_PICKER, HELPED, NOT_HELPED})
# kind -> (minimum, maximum) number of slug arguments
_ARITY = {
    MAIN: (0, 0),
    NODE: (1, 2),
    TOWNS: (1, 1),
    SERVICE: (2, 3),
    NONE_FITS: (1, 2),
    ERASE: (0, 0),
}


@dataclass(frozen=True)
class Action:
    """A parsed payload: what the button asks for."""

    kind: str
    args: tuple[str, ...] = ()
    lang: str | None = None
    place: Action | None = None

    def arg(self, index: int) -> str | None:
        """The argument at ``index``, or None when absent."""
        return self.args[index] if index < len(self.args) else None


def fits(payload: str) -> bool:
    """Whether the payload is within Telegram's callback_data limit (False if not UTF-8)."""
    try:
        size = len(payload.encode("utf-8"))
    except UnicodeEncodeError:  # a lone surrogate, as in forged callback data
        return False
    return 0 < size <= MAX_BYTES


def encode(kind: str, *args: str | None) -> str:
    """Join a kind and its arguments, dropping trailing empty ones."""
    parts = [kind, *(a or "" for a in args)]
    while len(parts) > 1 and not parts[-1]:
        parts.pop()
    return SEP.join(parts)


def node(node_id: str, town: str | None = None) -> str:
    """The payload that opens a node."""
    return encode(NODE, node_id, town)


def service(service_id: str, node_id: str, town: str | None = None) -> str:
    """The payload that opens a service card."""
    return encode(SERVICE, service_id, node_id, town)


def wrap(kind: str, place: str, *args: str) -> str:
    """A payload that carries a place (``kind:args…:place``)."""
    return SEP.join([kind, *args, place])


def parse(data: str | None) -> Action | None:
    """Parse a payload; None for anything unknown, malformed or forged."""
    if not data or not data.isascii() or not fits(data):
        return None
    kind, _, rest = data.partition(SEP)
    if kind in WRAPPERS:
        inner = parse(rest)
        return Action(kind, place=inner) if inner and inner.kind in PLACE_KINDS else None
    if kind == LANG_SET:
        lang, _, place = rest.partition(SEP)
        inner = parse(place)
        if not LANG.match(lang) or inner is None or inner.kind not in PLACE_KINDS:
            return None
        return Action(kind, lang=lang, place=inner)
    return parse_simple(kind, rest)


def parse_simple(kind: str, rest: str) -> Action | None:
    """Parse a payload whose arguments are all slugs."""
    if kind not in _ARITY:
        return None
    args = tuple(rest.split(SEP)) if rest else ()
    low, high = _ARITY[kind]
    if not low <= len(args) <= high or not all(SLUG.match(a) for a in args):
        return None
    return Action(kind, args)


def to_payload(action: Action) -> str:
    """The payload an action was parsed from (for places carried in other payloads)."""
    if action.kind in WRAPPERS and action.place:
        return wrap(action.kind, to_payload(action.place))
    if action.kind == LANG_SET and action.place and action.lang:
        return wrap(LANG_SET, to_payload(action.place), action.lang)
    return encode(action.kind, *action.args)
