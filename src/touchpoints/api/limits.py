"""A ceiling on request bodies, checked as the bytes arrive.

FastAPI reads a JSON body whole before an endpoint sees it, so a client could make the server
hold any amount of memory with one request. The ``Content-Length`` a client declares is
checked before anything is read, and the bytes actually received are counted as they come
(a chunked body declares none), so either way no more than the limit is ever held.
"""

from __future__ import annotations

import json
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from touchpoints.api.errors import body

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
App = Callable[[Scope, Receive, Send], Awaitable[None]]

MAX_BODY = 64 * 1024 * 1024  # 100,000 records of a few hundred bytes fit with room to spare


class BodyLimit:
    """ASGI middleware: a request whose body exceeds ``limit`` bytes gets 413 and the one
    error body. The body is read here, up to the limit, and handed on whole: refusing it
    from inside the framework's own read would come back as a parse error."""

    def __init__(self, app: App, limit: int = MAX_BODY) -> None:
        self.app = app
        self.limit = limit

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] in ("GET", "HEAD", "OPTIONS"):
            await self.app(scope, receive, send)
            return
        declared = dict(scope.get("headers", [])).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > self.limit:
            await self._refuse(send)
            return
        received: list[Message] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                break  # the client went away: the app hears it as it would have
            size += len(message.get("body", b""))
            if size > self.limit:
                await self._refuse(send)
                return
            if not message.get("more_body", False):
                break

        async def replay() -> Message:
            return received.pop(0) if received else await receive()

        await self.app(scope, replay, send)

    async def _refuse(self, send: Send) -> None:
        refusal = body(413, "too_large", f"the request body is over {self.limit:,} bytes")
        payload = json.dumps(refusal).encode()
        await send(
            {
                "type": "http.response.start",
                "status": 413,
                "headers": [(b"content-type", b"application/json")],
            }
        )
        await send({"type": "http.response.body", "body": payload})
