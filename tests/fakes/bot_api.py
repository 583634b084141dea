"""Fake Telegram Bot API server (aiohttp) for end-to-end tests with the real python-telegram-bot.

The bot under test talks real HTTP to ``FakeBotApi`` (``/bot<token>/<method>``). Every request
is checked against the Bot API 10.0 specification (see ``spec.py``): unknown methods and
parameters, missing parameters, wrong types and nested objects are refused like Telegram does
(``{"ok": false, "error_code": 400, "description": "Bad Request: ..."}``), plus the limits and
semantic errors a menu bot runs into (text length, HTML entities, callback_data size, message
to edit not found, message is not modified, 48-hour deletion window, ...). Refusals are kept in
``server.rejected``; in ``strict`` mode (default) ``wait_idle()`` and leaving the ``async with``
block raise ``AssertionError`` for them. Tests drive the bot as a person would through
``server.user(...)`` (see ``user.py``); faults (429, 5xx, delays, connection resets) can be
scripted per method with ``inject_fault``.
"""

from __future__ import annotations

import asyncio
import inspect
import json
import logging
import re
import time
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager, suppress
from types import TracebackType
from typing import Any, Self

from aiohttp import web
from telegram.ext import Application, ApplicationBuilder

from .formatting import parse_text
from .models import (
    CallbackQueryRecord,
    FakeChat,
    FakeMessage,
    Fault,
    RecordedRequest,
    Rejection,
)
from .spec import ApiError, BotApiSpec, MethodSpec, UploadedFile, bad_request, load_spec
from .user import FakeUser

__all__ = [
    "DEFAULT_TOKEN",
    "ApiError",
    "CallbackQueryRecord",
    "FakeBotApi",
    "FakeChat",
    "FakeMessage",
    "FakeUser",
    "Fault",
    "RecordedRequest",
    "Rejection",
]

log = logging.getLogger(__name__)

DEFAULT_TOKEN = "123456789:AAF-fake-token-for-lotse-tests_0123456"
MESSAGE_LIMIT = 4096
CAPTION_LIMIT = 1024
CALLBACK_ANSWER_LIMIT = 200
DELETE_WINDOW = 48 * 3600
_PATH_RE = re.compile(r"/bot([^/]*)/([^/]+)/?")
_FILE_PATH_RE = re.compile(r"/file/bot([^/]*)/(.+)")
_DEFAULT_UPDATES_EXCLUDED = frozenset(
    {"chat_member", "message_reaction", "message_reaction_count"}
)
_CHAT_ACTIONS = frozenset(
    {
        "typing",
        "upload_photo",
        "record_video",
        "upload_video",
        "record_voice",
        "upload_voice",
        "upload_document",
        "choose_sticker",
        "find_location",
        "record_video_note",
        "upload_video_note",
    }
)
_FAULT_DESCRIPTIONS = {
    400: "Bad Request",
    401: "Unauthorized",
    403: "Forbidden: bot was blocked by the user",
    404: "Not Found",
    409: "Conflict: terminated by other getUpdates request",
    500: "Internal Server Error",
    502: "Bad Gateway",
    503: "Service Unavailable",
    504: "Gateway Timeout",
}
_MEDIA_KINDS = ("photo", "document", "sticker", "voice", "audio", "video", "animation")
_UNSET: Any = object()

Handler = Callable[[dict[str, Any]], Any]


class FakeBotApi:
    """An in-process fake of api.telegram.org; use as ``async with FakeBotApi() as server``."""

    def __init__(
        self,
        *,
        token: str = DEFAULT_TOKEN,
        bot_username: str = "lotse_test_bot",
        bot_first_name: str = "Lotse Test",
        now: int | None = None,
        strict: bool = True,
        spec: BotApiSpec | None = None,
        idle_quiet: float = 0.08,
        idle_timeout: float = 5.0,
    ) -> None:
        """Configure the fake; ``now`` starts the fake clock (unix seconds, default: real time)."""
        self.token = token
        self.spec = spec or load_spec()
        self.bot_id = int(token.split(":", 1)[0])
        self.bot_user: dict[str, Any] = {
            "id": self.bot_id,
            "is_bot": True,
            "first_name": bot_first_name,
            "username": bot_username,
        }
        self.now: int = int(time.time()) if now is None else now
        self.strict = strict
        self.idle_quiet = idle_quiet
        self.idle_timeout = idle_timeout
        self.idle_checks: list[Callable[[], bool]] = []
        self.injected_update_ids: list[int] = []
        self.chats: dict[int, FakeChat] = {}
        self.requests: list[RecordedRequest] = []
        self.rejected: list[Rejection] = []
        self.faults_applied: list[tuple[str, Fault]] = []
        # Methods whose client went away during a scripted delay (gave up waiting).
        self.abandoned: list[str] = []
        self.conflicts = 0
        self.callback_queries: dict[str, CallbackQueryRecord] = {}
        self.commands: dict[tuple[str, str], list[dict[str, str]]] = {}
        self.descriptions: dict[str, str] = {}
        self.short_descriptions: dict[str, str] = {}
        self.names: dict[str, str] = {}
        self.default_menu_button: dict[str, Any] | None = None
        self.webhook: dict[str, Any] | None = None
        self.webhook_log: list[tuple[str, dict[str, Any]]] = []
        self.allowed_updates: list[str] | None = None
        self.logged_out = False
        self.closed = False
        self.files: dict[str, dict[str, Any]] = {}
        self.port = 0
        self._faults: dict[str, list[Fault]] = {}
        self._updates: list[dict[str, Any]] = []
        self._next_update_id = 10_001
        self._next_callback_id = 1
        self._last_injected = 0
        self._delivered_upto = 0
        self._inflight: dict[int, str] = {}
        self._last_activity = 0.0
        self._last_poll: float | None = None
        self._poll_generation = 0
        self._wake: asyncio.Event | None = None
        self._closing = False
        self._reported = 0
        self._runner: web.AppRunner | None = None
        # Optional timing hooks (benchmarks): called with each batch getUpdates hands out, and
        # with each valid request as it arrives (before faults and handling). None: no cost.
        self.on_delivered: Callable[[list[dict[str, Any]]], None] | None = None
        self.on_request: Callable[[str, dict[str, Any]], None] | None = None
        self._handlers: dict[str, Handler] = {
            name.removeprefix("_m_").lower(): getattr(self, name)
            for name in dir(self)
            if name.startswith("_m_")
        }

    # ------------------------------------------------------------------ lifecycle

    async def start(self) -> None:
        """Start listening on 127.0.0.1 on a free port."""
        app = web.Application(client_max_size=64 * 1024 * 1024)
        app.router.add_route("*", "/{tail:.*}", self._dispatch)
        self._runner = web.AppRunner(
            app, handler_cancellation=True, access_log=None, shutdown_timeout=1.0
        )
        await self._runner.setup()
        site = web.TCPSite(self._runner, "127.0.0.1", 0)
        await site.start()
        self.port = self._runner.addresses[0][1]
        self._last_activity = asyncio.get_running_loop().time()

    async def close(self) -> None:
        """Stop the server, ending pending long polls first."""
        self._closing = True
        self._notify()
        if self._runner is not None:
            await self._runner.cleanup()
            self._runner = None

    async def __aenter__(self) -> Self:
        """Start the server."""
        await self.start()
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        """Stop the server; in strict mode fail on rejections nobody has looked at."""
        await self.close()
        if self.strict and exc_type is None:
            self.check()

    @property
    def base_url(self) -> str:
        """Value for ``ApplicationBuilder.base_url``."""
        return f"http://127.0.0.1:{self.port}/bot"

    @property
    def base_file_url(self) -> str:
        """Value for ``ApplicationBuilder.base_file_url``."""
        return f"http://127.0.0.1:{self.port}/file/bot"

    def application_builder(self) -> ApplicationBuilder[Any, Any, Any, Any, Any, Any]:
        """Return an ``ApplicationBuilder`` already pointed at this fake."""
        builder: ApplicationBuilder[Any, Any, Any, Any, Any, Any] = (
            ApplicationBuilder()
            .token(self.token)
            .base_url(self.base_url)
            .base_file_url(self.base_file_url)
        )
        return builder

    @asynccontextmanager
    async def running(
        self,
        application: Application[Any, Any, Any, Any, Any, Any],
        *,
        poll_timeout: int = 1,
        allowed_updates: Sequence[str] | None = None,
        drop_pending_updates: bool | None = None,
    ) -> AsyncIterator[Application[Any, Any, Any, Any, Any, Any]]:
        """Run ``application`` like ``run_polling`` does (post_init/post_stop/post_shutdown too).

        Start order: initialize, post_init, updater.start_polling, start; on exit: updater.stop,
        stop, post_stop, shutdown, post_shutdown.
        """
        updater = application.updater
        assert updater is not None, "build the Application with an Updater"
        await application.initialize()
        try:
            if application.post_init:
                await application.post_init(application)
            await updater.start_polling(
                poll_interval=0.0,
                timeout=poll_timeout,
                allowed_updates=allowed_updates,
                drop_pending_updates=drop_pending_updates,
            )
            try:
                await application.start()
                try:
                    yield application
                finally:
                    if updater.running:
                        await updater.stop()
                    if application.running:
                        await application.stop()
                        if application.post_stop:
                            await application.post_stop(application)
            finally:
                if updater.running:
                    await updater.stop()
        finally:
            await application.shutdown()
            if application.post_shutdown:
                await application.post_shutdown(application)

    # ------------------------------------------------------------------ clock, chats, users

    def advance(
        self, seconds: float = 0, *, minutes: float = 0, hours: float = 0, days: float = 0
    ) -> int:
        """Move the fake clock forward; return the new ``now``."""
        self.now += int(seconds + 60 * minutes + 3600 * hours + 86400 * days)
        return self.now

    def chat(
        self,
        chat_id: int,
        *,
        chat_type: str = "private",
        title: str | None = None,
        first_name: str | None = None,
        username: str | None = None,
    ) -> FakeChat:
        """Return the chat ``chat_id``, creating it if needed."""
        chat = self.chats.get(chat_id)
        if chat is None:
            if chat_type != "private" and title is None:
                title = f"Test {chat_type} {chat_id}"
            chat = FakeChat(
                id=chat_id,
                type=chat_type,
                title=title,
                first_name=first_name,
                username=username,
            )
            self.chats[chat_id] = chat
        return chat

    def user(
        self,
        user_id: int = 1001,
        first_name: str = "Anna",
        *,
        last_name: str | None = None,
        username: str | None = None,
        language_code: str | None = "de",
        chat_type: str = "private",
        chat_id: int | None = None,
        title: str | None = None,
    ) -> FakeUser:
        """Create a person talking to the bot, in a private chat or a group/supergroup."""
        if chat_type == "private":
            if chat_id not in (None, user_id):
                raise ValueError("a private chat's id is the user's id")
            chat = self.chat(
                user_id, chat_type="private", first_name=first_name, username=username
            )
            if last_name is not None:
                chat.last_name = last_name
        else:
            if chat_id is None:
                chat_id = -(1_000_000_000_000 if chat_type == "supergroup" else 100_000) - len(
                    self.chats
                )
            if chat_id >= 0:
                raise ValueError("group chat ids are negative")
            chat = self.chat(chat_id, chat_type=chat_type, title=title)
        return FakeUser(
            self,
            user_id=user_id,
            first_name=first_name,
            last_name=last_name,
            username=username,
            language_code=language_code,
            chat=chat,
        )

    # ------------------------------------------------------------------ updates

    def inject_update(self, kind: str, payload: Mapping[str, Any]) -> int:
        """Queue an update ``{"update_id": n, kind: payload}`` for getUpdates; return n."""
        update_id = self._next_update_id
        self._next_update_id += 1
        self._updates.append({"update_id": update_id, kind: dict(payload)})
        self.injected_update_ids.append(update_id)
        self._last_injected = update_id
        self._notify()
        return update_id

    def new_callback_query_id(self) -> str:
        """Return a fresh callback query id."""
        query_id = str(4_200_000_000_000 + self._next_callback_id)
        self._next_callback_id += 1
        return query_id

    @property
    def pending_updates(self) -> list[dict[str, Any]]:
        """Updates not yet confirmed by the bot (via a higher getUpdates offset)."""
        return list(self._updates)

    def take_updates(self) -> list[dict[str, Any]]:
        """Hand out every pending update once, as Telegram pushes them to a webhook.

        For tests with several workers behind a load balancer: the test passes each update to
        the worker of its choice (``Application.process_update``) instead of polling.
        """
        batch = self._deliverable(100)
        if batch:
            self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
            handed = {u["update_id"] for u in batch}
            self._updates = [u for u in self._updates if u["update_id"] not in handed]
            self._touch()
        return batch

    async def wait_idle(
        self, *, max_wait: float | None = None, quiet: float | None = None
    ) -> None:
        """Wait until every injected update was fetched and the bot stopped making requests."""
        loop = asyncio.get_running_loop()
        quiet = self.idle_quiet if quiet is None else quiet
        deadline = loop.time() + (self.idle_timeout if max_wait is None else max_wait)
        while True:
            fetched = self._delivered_upto >= self._last_injected
            if (
                fetched
                and not self._inflight
                and loop.time() - self._last_activity >= quiet
                and all(check() for check in self.idle_checks)
            ):
                break
            if loop.time() > deadline:
                raise AssertionError(self._stuck_reason(fetched, loop.time()))
            await asyncio.sleep(0.01)
        if self.strict:
            self.check()

    def _stuck_reason(self, fetched: bool, now: float) -> str:
        if not fetched:
            last = (
                "never called getUpdates"
                if self._last_poll is None
                else f"last getUpdates {now - self._last_poll:.2f}s ago"
            )
            return (
                f"fake Bot API: the bot did not fetch update {self._last_injected} "
                f"({last}); is the Application polling against {self.base_url}?"
            )
        if self._inflight:
            return f"fake Bot API: bot still busy with requests {sorted(self._inflight.values())}"
        return "fake Bot API: bot kept making requests or an idle_check stayed false"

    # ------------------------------------------------------------------ inspection

    def calls(self, method: str) -> list[dict[str, Any]]:
        """Parameters of every (valid) call of ``method``, oldest first."""
        return [r.params for r in self.requests if r.method.lower() == method.lower()]

    def get_commands(
        self, scope: Mapping[str, Any] | None = None, language_code: str = ""
    ) -> list[dict[str, str]]:
        """Bot commands currently set for (scope, language_code)."""
        return list(self.commands.get((_scope_key(scope), language_code), []))

    def check(self) -> None:
        """Raise ``AssertionError`` listing rejections not reported yet."""
        new = self.rejected[self._reported :]
        self._reported = len(self.rejected)
        if new:
            lines = "\n".join(f"  - {r}" for r in new)
            raise AssertionError(f"fake Bot API rejected {len(new)} request(s):\n{lines}")

    def take_rejections(self) -> list[Rejection]:
        """Return and forget the rejections so far (for tests that expect some)."""
        taken, self.rejected = self.rejected, []
        self._reported = 0
        return taken

    def unanswered_callback_queries(self) -> list[CallbackQueryRecord]:
        """Callback queries the bot never answered (Telegram would show a spinner)."""
        return [q for q in self.callback_queries.values() if not q.answered]

    # ------------------------------------------------------------------ faults

    def inject_fault(
        self,
        method: str,
        *,
        status: int | None = None,
        retry_after: int | None = None,
        description: str | None = None,
        delay: float = 0.0,
        reset: bool = False,
        result: Any = _UNSET,
        times: int = 1,
    ) -> Fault:
        """Script the next ``times`` valid calls of ``method``.

        ``delay`` sleeps first (a client timeout when longer than its read timeout), then
        ``reset`` drops the connection, ``status`` answers an error (``retry_after`` implies
        429), ``result`` answers success with that result; with none of these the call is then
        handled normally.
        """
        spec = self.spec.method(method)
        if spec is None:
            raise ValueError(f"unknown Bot API method {method!r}")
        if retry_after is not None and status is None:
            status = 429
        fault = Fault(
            status=status,
            description=description,
            retry_after=retry_after,
            delay=delay,
            reset=reset,
            result=None if result is _UNSET else result,
            has_result=result is not _UNSET,
            times=times,
        )
        self._faults.setdefault(spec.name, []).append(fault)
        return fault

    def clear_faults(self, method: str | None = None) -> None:
        """Drop scripted faults of one method or of all methods."""
        if method is None:
            self._faults.clear()
        else:
            spec = self.spec.method(method)
            self._faults.pop(spec.name if spec else method, None)

    def _take_fault(self, method: str) -> Fault | None:
        queue = self._faults.get(method)
        if not queue:
            return None
        fault = queue[0]
        fault.times -= 1
        if fault.times <= 0:
            queue.pop(0)
        self.faults_applied.append((method, fault))
        return fault

    async def _apply_fault(self, fault: Fault, request: web.Request) -> tuple[bool, Any]:
        """Run a fault; return (answered, result) or raise ``ApiError``."""
        if fault.delay:
            try:
                await asyncio.sleep(fault.delay)
            except asyncio.CancelledError:  # handler_cancellation: the client hung up
                self.abandoned.append(request.path.rsplit("/", 1)[-1])
                raise
        if fault.reset:
            if request.transport is not None:
                request.transport.abort()
            await asyncio.sleep(1)  # handler_cancellation cancels us when the peer is gone
            raise ApiError(500, "connection reset by fake", record=False)
        if fault.status is not None:
            if fault.status == 429:
                retry = fault.retry_after if fault.retry_after is not None else 1
                text = fault.description or f"Too Many Requests: retry after {retry}"
                raise ApiError(429, text, retry_after=retry, record=False)
            text = fault.description or _FAULT_DESCRIPTIONS.get(fault.status, "Error")
            raise ApiError(fault.status, text, retry_after=fault.retry_after, record=False)
        if fault.has_result:
            return True, fault.result
        return False, None

    # ------------------------------------------------------------------ HTTP plumbing

    def _touch(self) -> None:
        self._last_activity = asyncio.get_running_loop().time()

    def _notify(self) -> None:
        if self._wake is not None:
            self._wake.set()
            self._wake = None

    def _reject(self, method: str, params: Mapping[str, Any], error: ApiError) -> None:
        rejection = Rejection(method, dict(params), error.status, error.description)
        self.rejected.append(rejection)
        log.warning("fake Bot API rejected %s", rejection)

    @staticmethod
    def _answer(error: ApiError | None = None, result: Any = None) -> web.Response:
        if error is None:
            return web.json_response({"ok": True, "result": result})
        body: dict[str, Any] = {
            "ok": False,
            "error_code": error.status,
            "description": error.description,
        }
        if error.retry_after is not None:
            body["parameters"] = {"retry_after": error.retry_after}
        return web.json_response(body, status=error.status)

    async def _dispatch(self, request: web.Request) -> web.StreamResponse:
        if request.path.startswith("/file/"):
            return self._serve_file(request)
        match = _PATH_RE.fullmatch(request.path)
        if match is None:
            error = ApiError(404, "Not Found")
            self._reject(request.path, {}, error)
            return self._answer(error)
        token, name = match.groups()
        method = self.spec.method(name)
        label = method.name if method else name
        key = id(request)
        if label != "getUpdates":
            self._inflight[key] = label
        params: dict[str, Any] = {}
        try:
            if token != self.token:
                raise ApiError(401, "Unauthorized")
            if method is None:
                raise ApiError(404, "Not Found")
            raw, files = await self._read_params(request)
            params = {k: v for k, (v, _) in raw.items()} | dict(files)
            try:
                params = self.spec.validate_params(method, raw, files)
            finally:
                self.requests.append(RecordedRequest(method.name, params, self.now))
            if self.on_request is not None:
                self.on_request(method.name, params)
            fault = self._take_fault(method.name)
            if fault is not None:
                answered, result = await self._apply_fault(fault, request)
                if answered:
                    return self._answer(result=result)
            result = await self._call(method, params)
            return self._answer(result=result)
        except ApiError as error:
            if error.record:
                self._reject(label, params, error)
            return self._answer(error)
        finally:
            if self._inflight.pop(key, None) is not None:
                self._touch()

    async def _read_params(
        self, request: web.Request
    ) -> tuple[dict[str, tuple[Any, bool]], dict[str, UploadedFile]]:
        params: dict[str, tuple[Any, bool]] = {k: (v, True) for k, v in request.query.items()}
        files: dict[str, UploadedFile] = {}
        if request.content_type == "application/json":
            body = await request.read()
            if body.strip():
                try:
                    data = json.loads(body)
                except ValueError:
                    raise bad_request("can't parse JSON encoded request body") from None
                if not isinstance(data, dict):
                    raise bad_request("JSON request body must be an object")
                params.update({k: (v, False) for k, v in data.items()})
        elif request.content_type in ("multipart/form-data", "application/x-www-form-urlencoded"):
            form = await request.post()
            for name, value in form.items():
                if isinstance(value, web.FileField):
                    files[name] = UploadedFile(
                        name, value.filename, value.content_type, value.file.read()
                    )
                else:
                    params[name] = (value if isinstance(value, str) else value.decode(), True)
        return params, files

    async def _call(self, method: MethodSpec, params: dict[str, Any]) -> Any:
        handler = self._handlers.get(method.name.lower())
        if handler is None:
            if method.returns == ("Boolean",):
                return True
            raise bad_request(
                f"method {method.name} is not supported by the fake Bot API "
                "(tests/fakes/bot_api.py); implement it there"
            )
        result = handler(params)
        if inspect.isawaitable(result):
            result = await result
        return result

    def _serve_file(self, request: web.Request) -> web.Response:
        match = _FILE_PATH_RE.fullmatch(request.path)
        if match is None or match.group(1) != self.token:
            return web.Response(status=401 if match else 404)
        record = next((f for f in self.files.values() if f["file_path"] == match.group(2)), None)
        if record is None:
            return web.Response(status=404)
        return web.Response(body=record["data"], content_type="application/octet-stream")

    # ------------------------------------------------------------------ helpers for methods

    def _chat_of(self, chat_id: int | str) -> FakeChat:
        chat: FakeChat | None = None
        if isinstance(chat_id, int) or re.fullmatch(r"-?\d+", chat_id):
            chat = self.chats.get(int(chat_id))
        elif chat_id.startswith("@"):
            chat = next(
                (c for c in self.chats.values() if c.username == chat_id.removeprefix("@")),
                None,
            )
        if chat is None:
            raise bad_request("chat not found")
        return chat

    def _target_chat(self, params: Mapping[str, Any]) -> FakeChat:
        chat = self._chat_of(params["chat_id"])
        if chat.blocked:
            raise ApiError(403, "Forbidden: bot was blocked by the user")
        return chat

    def _editable(self, params: Mapping[str, Any]) -> FakeMessage:
        if "inline_message_id" in params:
            raise bad_request("inline messages are not supported by the fake Bot API")
        if "chat_id" not in params or "message_id" not in params:
            raise bad_request("message identifier is not specified")
        chat = self._chat_of(params["chat_id"])
        message = chat.find(params["message_id"])
        if message is None:
            raise bad_request("message to edit not found")
        if not message.from_bot:
            raise bad_request("message can't be edited")
        return message

    @staticmethod
    def _parse(
        params: Mapping[str, Any], key: str, entities_key: str, limit: int
    ) -> tuple[str | None, list[dict[str, Any]]]:
        if key not in params:
            return None, []
        plain, entities = parse_text(
            params[key], params.get("parse_mode"), params.get(entities_key)
        )
        if key == "text" and not plain:
            raise bad_request("message text is empty")
        if len(plain.encode("utf-16-le")) // 2 > limit:
            what = "message is too long" if key == "text" else "message caption is too long"
            raise bad_request(f"{what} ({len(plain.encode('utf-16-le')) // 2} > {limit})")
        return plain or None, entities

    def _new_message(
        self,
        params: Mapping[str, Any],
        kind: str,
        *,
        text_key: str | None = None,
        payload: dict[str, Any] | None = None,
    ) -> dict[str, Any]:
        chat = self._target_chat(params)
        text: str | None = None
        entities: list[dict[str, Any]] = []
        if text_key == "text":
            text, entities = self._parse(params, "text", "entities", MESSAGE_LIMIT)
        elif text_key == "caption":
            text, entities = self._parse(params, "caption", "caption_entities", CAPTION_LIMIT)
        reply_to: int | None = None
        reply = params.get("reply_parameters")
        if reply is not None:
            if chat.find(reply["message_id"]) is None:
                if not reply.get("allow_sending_without_reply"):
                    raise bad_request("message to be replied not found")
            else:
                reply_to = reply["message_id"]
        markup = params.get("reply_markup")
        message = FakeMessage(
            message_id=chat.take_message_id(),
            chat=chat,
            sender=self.bot_user,
            date=self.now,
            kind=kind,
            text=text,
            raw_text=params.get(text_key) if text_key else None,
            parse_mode=params.get("parse_mode"),
            entities=entities,
            reply_markup=markup,
            payload=payload or {},
            reply_to_message_id=reply_to,
        )
        chat.post(message)
        if markup is not None and "keyboard" in markup:
            chat.reply_keyboard = markup
        elif markup is not None and "remove_keyboard" in markup:
            chat.reply_keyboard = None
        return message.to_api()

    def register_file(
        self,
        data: bytes,
        *,
        kind: str = "document",
        file_name: str | None = None,
        mime_type: str | None = None,
    ) -> dict[str, Any]:
        """Store file contents; return its File object (file_id, file_unique_id, ...)."""
        number = len(self.files) + 1
        file_id = f"FAKE{kind.upper()}{number:06d}"
        suffix = file_name.rsplit(".", 1)[-1] if file_name and "." in file_name else "bin"
        record = {
            "file_id": file_id,
            "file_unique_id": f"U{number:06d}",
            "file_size": len(data),
            "file_path": f"{kind}s/file_{number}.{suffix}",
            "file_name": file_name,
            "mime_type": mime_type,
            "data": data,
        }
        self.files[file_id] = record
        return {k: v for k, v in record.items() if k != "data" and v is not None}

    def _input_file(self, value: UploadedFile | str, kind: str) -> dict[str, Any]:
        if isinstance(value, UploadedFile):
            return self.register_file(
                value.data, kind=kind, file_name=value.filename, mime_type=value.content_type
            )
        if value in self.files:
            record = self.files[value]
            return {k: v for k, v in record.items() if k != "data" and v is not None}
        if re.match(r"https?://", value):
            return self.register_file(b"", kind=kind, file_name=value.rsplit("/", 1)[-1])
        raise bad_request("wrong file identifier/HTTP URL specified")

    @staticmethod
    def media_payload(kind: str, info: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
        """Build the Message field(s) for a media kind from a File object."""
        base = {k: info[k] for k in ("file_id", "file_unique_id", "file_size") if k in info}
        if kind == "photo":
            return {"photo": [{**base, "width": 800, "height": 600}]}
        if kind == "document":
            doc = {**base, **{k: info[k] for k in ("file_name", "mime_type") if k in info}}
            return {"document": doc}
        if kind == "sticker":
            sticker = {
                **base,
                "type": "regular",
                "width": 512,
                "height": 512,
                "is_animated": False,
                "is_video": False,
            }
            if extra.get("emoji"):
                sticker["emoji"] = extra["emoji"]
            return {"sticker": sticker}
        duration = int(extra.get("duration") or 1)
        if kind in ("voice", "audio"):
            return {kind: {**base, "duration": duration}}
        return {kind: {**base, "width": 640, "height": 480, "duration": duration}}

    def _send_media(self, params: dict[str, Any], kind: str) -> dict[str, Any]:
        self._target_chat(params)
        info = self._input_file(params[kind], kind)
        payload = self.media_payload(kind, info, **params)
        text_key = "caption" if kind != "sticker" else None
        return self._new_message(params, kind, text_key=text_key, payload=payload)

    @staticmethod
    def _check_language(params: Mapping[str, Any]) -> str:
        code: str = params.get("language_code", "")
        if code and not re.fullmatch(r"[a-z]{2}", code):
            raise bad_request(f"invalid language code {code!r} (two-letter ISO 639-1 or empty)")
        return code

    # ------------------------------------------------------------------ methods

    def _m_getMe(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self.bot_user,
            "can_join_groups": True,
            "can_read_all_group_messages": False,
            "supports_inline_queries": False,
            "can_connect_to_business": False,
            "has_main_web_app": False,
        }

    def _m_logOut(self, params: dict[str, Any]) -> bool:
        self.logged_out = True
        return True

    def _m_close(self, params: dict[str, Any]) -> bool:
        self.closed = True
        return True

    async def _m_getUpdates(self, params: dict[str, Any]) -> list[dict[str, Any]]:
        loop = asyncio.get_running_loop()
        self._last_poll = loop.time()
        if self.webhook is not None:
            raise ApiError(
                409,
                "Conflict: can't use getUpdates method while webhook is active; "
                "use deleteWebhook to delete the webhook first",
            )
        self._poll_generation += 1
        generation = self._poll_generation
        self._notify()
        offset = params.get("offset", 0)
        if offset > 0:
            self._updates = [u for u in self._updates if u["update_id"] >= offset]
        elif offset < 0:
            self._updates = self._updates[offset:]
        if "allowed_updates" in params:
            self.allowed_updates = params["allowed_updates"] or None
        limit = min(max(params.get("limit", 100), 1), 100)
        deadline = loop.time() + max(params.get("timeout", 0), 0)
        while True:
            if generation != self._poll_generation:
                self.conflicts += 1
                raise ApiError(
                    409,
                    "Conflict: terminated by other getUpdates request; "
                    "make sure that only one bot instance is running",
                    record=False,
                )
            batch = self._deliverable(limit)
            remaining = deadline - loop.time()
            if batch or remaining <= 0 or self._closing:
                if batch:
                    self._delivered_upto = max(self._delivered_upto, batch[-1]["update_id"])
                    self._touch()
                    if self.on_delivered is not None:
                        self.on_delivered(batch)
                return batch
            if self._wake is None:
                self._wake = asyncio.Event()
            wake = self._wake
            with suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), remaining)

    def _deliverable(self, limit: int) -> list[dict[str, Any]]:
        batch: list[dict[str, Any]] = []
        kept: list[dict[str, Any]] = []
        for update in self._updates:
            kind = next(k for k in update if k != "update_id")
            allowed = (
                kind in self.allowed_updates
                if self.allowed_updates
                else kind not in _DEFAULT_UPDATES_EXCLUDED
            )
            if not allowed:
                self._delivered_upto = max(self._delivered_upto, update["update_id"])
                continue
            kept.append(update)
            if len(batch) < limit:
                batch.append(update)
        self._updates = kept
        return batch

    def _m_setWebhook(self, params: dict[str, Any]) -> bool:
        url: str = params["url"]
        if params.get("drop_pending_updates"):
            self._drop_pending()
        if not url:
            self.webhook = None
            self.webhook_log.append(("delete", params))
            return True
        if not url.startswith("https://"):
            raise bad_request("bad webhook: An HTTPS URL must be provided for webhook")
        secret = params.get("secret_token")
        if secret is not None and not re.fullmatch(r"[A-Za-z0-9_-]{1,256}", secret):
            raise bad_request("secret token contains unallowed characters")
        max_connections = params.get("max_connections", 40)
        if not 1 <= max_connections <= 100:
            raise bad_request("max_connections must be 1-100")
        self.webhook = {k: v for k, v in params.items() if k != "certificate"}
        self.webhook_log.append(("set", params))
        return True

    def _drop_pending(self) -> None:
        if self._updates:
            self._delivered_upto = max(self._delivered_upto, self._updates[-1]["update_id"])
        self._updates = []

    def _m_deleteWebhook(self, params: dict[str, Any]) -> bool:
        if params.get("drop_pending_updates"):
            self._drop_pending()
        self.webhook = None
        self.webhook_log.append(("delete", params))
        return True

    def _m_getWebhookInfo(self, params: dict[str, Any]) -> dict[str, Any]:
        info: dict[str, Any] = {
            "url": self.webhook["url"] if self.webhook else "",
            "has_custom_certificate": False,
            "pending_update_count": len(self._updates),
        }
        if self.webhook:
            info["max_connections"] = self.webhook.get("max_connections", 40)
            if "allowed_updates" in self.webhook:
                info["allowed_updates"] = self.webhook["allowed_updates"]
        return info

    def _m_sendMessage(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new_message(params, "text", text_key="text")

    def _m_editMessageText(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.kind != "text":
            raise bad_request("there is no text in the message to edit")
        text, entities = self._parse(params, "text", "entities", MESSAGE_LIMIT)
        return self._apply_edit(message, params, text, entities)

    def _m_editMessageCaption(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        if message.kind == "text":
            raise bad_request("there is no caption in the message to edit")
        text, entities = self._parse(params, "caption", "caption_entities", CAPTION_LIMIT)
        return self._apply_edit(message, params, text, entities, key="caption")

    def _apply_edit(
        self,
        message: FakeMessage,
        params: Mapping[str, Any],
        text: str | None,
        entities: list[dict[str, Any]],
        key: str = "text",
    ) -> dict[str, Any]:
        markup = params.get("reply_markup")
        if (
            text == message.text
            and entities == message.entities
            and markup == message.reply_markup
        ):
            raise _not_modified()
        message.text, message.entities, message.reply_markup = text, entities, markup
        message.raw_text = params.get(key)
        message.parse_mode = params.get("parse_mode")
        message.edit_date = self.now
        return message.to_api()

    def _m_editMessageReplyMarkup(self, params: dict[str, Any]) -> dict[str, Any]:
        message = self._editable(params)
        markup = params.get("reply_markup")
        if markup == message.reply_markup:
            raise _not_modified()
        message.reply_markup = markup
        message.edit_date = self.now
        return message.to_api()

    def _m_answerCallbackQuery(self, params: dict[str, Any]) -> bool:
        query = self.callback_queries.get(params["callback_query_id"])
        if query is None or query.answered:
            raise bad_request(
                "query is too old and response timeout expired or query ID is invalid"
            )
        text = params.get("text")
        if text is not None and len(text.encode("utf-16-le")) // 2 > CALLBACK_ANSWER_LIMIT:
            raise bad_request(
                f"MESSAGE_TOO_LONG: callback answer text must be 0-{CALLBACK_ANSWER_LIMIT} "
                "characters"
            )
        query.answered = True
        query.text = text
        query.show_alert = bool(params.get("show_alert"))
        query.url = params.get("url")
        return True

    def _m_sendContact(self, params: dict[str, Any]) -> dict[str, Any]:
        if not params["phone_number"].strip() or not params["first_name"].strip():
            raise bad_request("phone_number and first_name must be non-empty")
        contact = {
            k: params[k]
            for k in ("phone_number", "first_name", "last_name", "vcard")
            if k in params
        }
        return self._new_message(params, "contact", payload={"contact": contact})

    @staticmethod
    def _location(params: Mapping[str, Any]) -> dict[str, Any]:
        if not -90 <= params["latitude"] <= 90 or not -180 <= params["longitude"] <= 180:
            raise bad_request("wrong latitude or longitude")
        return {"latitude": params["latitude"], "longitude": params["longitude"]}

    def _m_sendVenue(self, params: dict[str, Any]) -> dict[str, Any]:
        location = self._location(params)
        if not params["title"].strip() or not params["address"].strip():
            raise bad_request("venue title and address must be non-empty")
        venue = {"location": location, "title": params["title"], "address": params["address"]}
        for key in ("foursquare_id", "foursquare_type", "google_place_id", "google_place_type"):
            if key in params:
                venue[key] = params[key]
        return self._new_message(params, "venue", payload={"venue": venue, "location": location})

    def _m_sendLocation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._new_message(params, "location", payload={"location": self._location(params)})

    def _m_sendPhoto(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "photo")

    def _m_sendDocument(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "document")

    def _m_sendSticker(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "sticker")

    def _m_sendVoice(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "voice")

    def _m_sendAudio(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "audio")

    def _m_sendVideo(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "video")

    def _m_sendAnimation(self, params: dict[str, Any]) -> dict[str, Any]:
        return self._send_media(params, "animation")

    def _deletable(self, chat: FakeChat, message: FakeMessage) -> bool:
        if self.now - message.date >= DELETE_WINDOW:
            return False
        return message.from_bot or chat.type == "private" or chat.bot_is_admin

    def _m_deleteMessage(self, params: dict[str, Any]) -> bool:
        chat = self._chat_of(params["chat_id"])
        message = chat.find(params["message_id"])
        if message is None:
            raise bad_request("message to delete not found")
        if not self._deletable(chat, message):
            raise bad_request("message can't be deleted")
        chat.messages.remove(message)
        return True

    def _m_deleteMessages(self, params: dict[str, Any]) -> bool:
        # Like Telegram: ids that do not exist (any more), or that the bot may not delete
        # (older than 48 hours; other people's messages outside a private chat unless the bot
        # is an admin), are skipped, and the call still succeeds.
        ids: list[int] = params["message_ids"]
        if not 1 <= len(ids) <= 100:
            raise bad_request(f"message_ids must contain 1-100 identifiers, got {len(ids)}")
        chat = self._chat_of(params["chat_id"])
        chat.messages = [
            m for m in chat.messages if m.message_id not in ids or not self._deletable(chat, m)
        ]
        return True

    def _m_setMyCommands(self, params: dict[str, Any]) -> bool:
        commands: list[dict[str, str]] = params["commands"]
        if len(commands) > 100:
            raise bad_request(f"too many commands: {len(commands)} > 100")
        key = (_scope_key(params.get("scope")), self._check_language(params))
        if commands:
            self.commands[key] = commands
        else:
            self.commands.pop(key, None)
        return True

    def _m_getMyCommands(self, params: dict[str, Any]) -> list[dict[str, str]]:
        return self.get_commands(params.get("scope"), self._check_language(params))

    def _m_deleteMyCommands(self, params: dict[str, Any]) -> bool:
        self.commands.pop((_scope_key(params.get("scope")), self._check_language(params)), None)
        return True

    def _set_text(
        self, store: dict[str, str], params: Mapping[str, Any], key: str, limit: int
    ) -> bool:
        language = self._check_language(params)
        value: str = params.get(key, "")
        if len(value.encode("utf-16-le")) // 2 > limit:
            raise bad_request(f"{key} is too long (at most {limit} characters)")
        if value:
            store[language] = value
        else:
            store.pop(language, None)
        return True

    def _m_setMyDescription(self, params: dict[str, Any]) -> bool:
        return self._set_text(self.descriptions, params, "description", 512)

    def _m_getMyDescription(self, params: dict[str, Any]) -> dict[str, str]:
        return {"description": self.descriptions.get(self._check_language(params), "")}

    def _m_setMyShortDescription(self, params: dict[str, Any]) -> bool:
        return self._set_text(self.short_descriptions, params, "short_description", 120)

    def _m_getMyShortDescription(self, params: dict[str, Any]) -> dict[str, str]:
        language = self._check_language(params)
        return {"short_description": self.short_descriptions.get(language, "")}

    def _m_setMyName(self, params: dict[str, Any]) -> bool:
        return self._set_text(self.names, params, "name", 64)

    def _m_getMyName(self, params: dict[str, Any]) -> dict[str, str]:
        name = self.names.get(self._check_language(params), self.bot_user["first_name"])
        return {"name": name}

    def _m_setChatMenuButton(self, params: dict[str, Any]) -> bool:
        button = params.get("menu_button")
        if "chat_id" in params:
            self._chat_of(params["chat_id"]).menu_button = button
        else:
            self.default_menu_button = button
        return True

    def _m_getChatMenuButton(self, params: dict[str, Any]) -> dict[str, Any]:
        button = self.default_menu_button
        if "chat_id" in params:
            button = self._chat_of(params["chat_id"]).menu_button or button
        return button or {"type": "default"}

    def _m_sendChatAction(self, params: dict[str, Any]) -> bool:
        chat = self._target_chat(params)
        if params["action"] not in _CHAT_ACTIONS:
            raise bad_request("wrong parameter action in request")
        chat.actions.append(params["action"])
        return True

    def _m_getFile(self, params: dict[str, Any]) -> dict[str, Any]:
        record = self.files.get(params["file_id"])
        if record is None:
            raise bad_request("invalid file_id")
        return {k: record[k] for k in ("file_id", "file_unique_id", "file_size", "file_path")}

    def _m_getChat(self, params: dict[str, Any]) -> dict[str, Any]:
        return {
            **self._chat_of(params["chat_id"]).to_api(),
            "accent_color_id": 0,
            "max_reaction_count": 11,
            "accepted_gift_types": {
                "unlimited_gifts": False,
                "limited_gifts": False,
                "unique_gifts": False,
                "premium_subscription": False,
                "gifts_from_channels": False,
            },
        }


def _scope_key(scope: Mapping[str, Any] | None) -> str:
    return json.dumps(dict(scope or {"type": "default"}), sort_keys=True)


def _not_modified() -> ApiError:
    return bad_request(
        "message is not modified: specified new message content and reply markup are exactly "
        "the same as a current content and reply markup of the message"
    )
