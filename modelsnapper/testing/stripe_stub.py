"""A local HTTP server speaking just enough of Stripe's API for our gateway.

Only Stripe's HTTP API is stubbed; everything on our side runs for real.
"""

from __future__ import annotations

import json
import threading
import uuid
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qsl


class StripeStub:
    def __init__(self) -> None:
        self.sessions: dict[str, dict] = {}
        self.subscriptions: dict[str, dict] = {}
        self.requests: list[tuple[str, str, dict, dict]] = []
        self.replies: dict[str, tuple[int, dict]] = {}
        # Set to (status, Stripe error body) to make every POST fail that way, as Stripe does.
        self.failing: tuple[int, dict] | None = None
        self.request_ids: list[str] = []  # the Request-Id header of every answer, in order
        stub = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *args):
                pass

            def _reply(self, status: int, body: dict) -> None:
                data = json.dumps(body).encode()
                self.send_response(status)
                if "error" in body:
                    # What Stripe says on most errors: retrying the same request would not help.
                    self.send_header("Stripe-Should-Retry", "false")
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.send_header("Request-Id", stub.next_request_id())
                self.end_headers()
                self.wfile.write(data)

            def _form(self) -> dict:
                length = int(self.headers.get("Content-Length") or 0)
                return dict(parse_qsl(self.rfile.read(length).decode(), keep_blank_values=True))

            def do_GET(self):
                stub.requests.append(("GET", self.path, {}, dict(self.headers)))
                parts = self.path.split("?")[0].strip("/").split("/")
                if parts[:3] == ["v1", "checkout", "sessions"] and parts[3] in stub.sessions:
                    return self._reply(200, stub.sessions[parts[3]])
                if parts[:2] == ["v1", "subscriptions"] and parts[2] in stub.subscriptions:
                    return self._reply(200, stub.subscriptions[parts[2]])
                return self._reply(
                    404, {"error": {"type": "invalid_request_error", "message": "No such object"}}
                )

            def do_POST(self):
                form = self._form()
                stub.requests.append(("POST", self.path, form, dict(self.headers)))
                if stub.failing:
                    return self._reply(*stub.failing)
                # Like Stripe: a POST repeating an Idempotency-Key gets the first answer again.
                key = self.headers.get("Idempotency-Key")
                if key and key in stub.replies:
                    return self._reply(*stub.replies[key])
                status, body = self._answer(form)
                if key:
                    stub.replies[key] = (status, body)
                return self._reply(status, body)

            def _answer(self, form: dict) -> tuple[int, dict]:
                path = self.path.split("?")[0].strip("/").split("/")
                if path == ["v1", "checkout", "sessions"]:
                    session_id = f"cs_stub_{uuid.uuid4().hex[:20]}"
                    session = {
                        "id": session_id,
                        "object": "checkout.session",
                        "mode": form.get("mode"),
                        "url": f"https://checkout.stripe.test/pay/{session_id}",
                        "client_reference_id": form.get("client_reference_id"),
                        "metadata": {k[9:-1]: v for k, v in form.items() if k.startswith("metadata[")},
                        "payment_status": "unpaid",
                        "status": "open",
                        "amount_total": 500,
                        "currency": "usd",
                        "payment_intent": None,
                        "livemode": False,
                    }
                    stub.sessions[session_id] = session
                    return (200, session)
                if path[:2] == ["v1", "subscriptions"] and path[2] in stub.subscriptions:
                    sub = stub.subscriptions[path[2]]
                    if "cancel_at_period_end" in form:
                        sub["cancel_at_period_end"] = form["cancel_at_period_end"] == "true"
                    if "items[0][price]" in form:
                        sub["items"]["data"][0]["price"] = {"id": form["items[0][price]"]}
                    return (200, sub)
                if path == ["v1", "billing_portal", "sessions"]:
                    return (
                        200,
                        {
                            "id": "bps_1",
                            "object": "billing_portal.session",
                            "url": "https://billing.stripe.test/session/bps_1",
                        },
                    )
                return (404, {"error": {"type": "invalid_request_error", "message": "No route"}})

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    def next_request_id(self) -> str:
        self.request_ids.append(f"req_{uuid.uuid4().hex[:12]}")
        return self.request_ids[-1]

    def __enter__(self) -> StripeStub:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()
