"""A local chat-completions server for the LLM coach's tests and benchmark: real HTTP, replies
scripted per test (a queue of Replies; once it is empty, `default` answers every call)."""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer


def feedback(points: int, **changes) -> dict:
    """A reply that fits the coach's schema for a question with `points` key points."""
    return {
        "wrong_statements": [
            {"statement": "RoPE adds a learned vector", "correction": "RoPE rotates q and k."}
        ],
        "tighter_answer": "Attention costs grow with length; caching keys and values helps.",
        "key_points": [
            {
                "verdict": "covered" if i == 0 else "missed",
                "evidence": "keys and values" if i == 0 else "",
            }
            for i in range(points)
        ],  # fmt: skip
        **changes,
    }


@dataclass
class Reply:
    """What the server does for one call: wait `delay` seconds, then answer `status` with `body`
    (a dict is sent as a chat completion whose content is that dict as JSON; a str is the
    message content as is; bytes are the whole HTTP body)."""

    body: dict | str | bytes = b""
    status: int = 200
    delay: float = 0.0

    def payload(self) -> bytes:
        if isinstance(self.body, bytes):
            return self.body
        content = self.body if isinstance(self.body, str) else json.dumps(self.body)
        completion = {
            "id": "chatcmpl-test",
            "object": "chat.completion",
            "choices": [{"index": 0, "finish_reason": "stop",
                         "message": {"role": "assistant", "content": content}}],
        }  # fmt: skip
        return json.dumps(completion).encode()


@dataclass
class FakeLLM:
    url: str = ""
    # A Reply, or a function of the request's JSON body that returns one.
    default: Reply | Callable[[dict], Reply] = field(default_factory=lambda: Reply(feedback(2)))
    replies: deque = field(default_factory=deque)
    requests: list = field(default_factory=list)  # (path, headers, parsed JSON body)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def script(self, *replies: Reply) -> None:
        with self.lock:
            self.replies.extend(replies)

    def next_reply(self, body: dict) -> Reply:
        with self.lock:
            if self.replies:
                return self.replies.popleft()
        return self.default(body) if callable(self.default) else self.default


def serve(fake: FakeLLM) -> ThreadingHTTPServer:
    """Start the server on a free local port in a daemon thread; fake.url is its /v1 base URL."""

    class Handler(BaseHTTPRequestHandler):
        def do_POST(self):  # noqa: N802 - the name http.server calls
            length = int(self.headers.get("Content-Length") or 0)
            body = json.loads(self.rfile.read(length) or b"null")
            with fake.lock:
                fake.requests.append((self.path, dict(self.headers), body))
            reply = fake.next_reply(body)
            if self.path != "/v1/chat/completions":
                reply = Reply(b'{"error": "not found"}', status=404)
            time.sleep(reply.delay)
            data = reply.payload()
            try:
                self.send_response(reply.status)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)
            except (BrokenPipeError, ConnectionResetError):  # the client gave up waiting
                pass

        def log_message(self, *args):  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    server.daemon_threads = True
    fake.url = f"http://127.0.0.1:{server.server_address[1]}/v1"
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server
