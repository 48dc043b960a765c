"""One id per request, on every log line it causes, in every task it enqueues, and on its 500 page.

The id comes from the load balancer's ``X-Request-ID`` when it sends a sane one
(so its logs and ours join up), else we make one. It travels into Celery tasks
as a message header and back out on the response.
"""

from __future__ import annotations

import contextvars
import logging
import re
import uuid

from celery.signals import before_task_publish, task_postrun, task_prerun
from django.core.signals import request_finished
from django.dispatch import receiver

HEADER = "X-Request-ID"
TASK_HEADER = "request_id"
_SANE = re.compile(r"^[A-Za-z0-9._:-]{8,128}$")

current: contextvars.ContextVar[str] = contextvars.ContextVar("request_id", default="")


def get() -> str:
    return current.get()


def new_id(proposed: str | None = None) -> str:
    return proposed if proposed and _SANE.match(proposed) else uuid.uuid4().hex


class RequestIdMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        request_id = new_id(request.headers.get(HEADER))
        # Left set until request_finished: Django logs a 4xx/5xx after the middleware returns.
        current.set(request_id)
        request.request_id = request_id
        response = self.get_response(request)
        response[HEADER] = request_id
        return response


@receiver(request_finished)
def _end_of_request(**_kwargs):
    current.set("")


class RequestIdFilter(logging.Filter):
    """Puts ``request_id`` on every record (empty outside a request or task)."""

    def filter(self, record: logging.LogRecord) -> bool:
        if not getattr(record, "request_id", ""):
            record.request_id = current.get()
        return True


@before_task_publish.connect
def _send_request_id(headers=None, **_kwargs):
    request_id = current.get()
    if headers is not None and request_id:
        headers.setdefault(TASK_HEADER, request_id)


_task_tokens: dict[str, contextvars.Token] = {}


@task_prerun.connect
def _adopt_request_id(task_id=None, task=None, **_kwargs):
    request_id = getattr(task.request, TASK_HEADER, None) or (task.request.headers or {}).get(TASK_HEADER)
    # An eager task (tests, inline runs) keeps the id of the request it runs in.
    _task_tokens[task_id] = current.set(new_id(request_id or current.get()))


@task_postrun.connect
def _forget_request_id(task_id=None, **_kwargs):
    token = _task_tokens.pop(task_id, None)
    if token is not None:
        current.reset(token)
