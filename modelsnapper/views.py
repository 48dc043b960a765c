import logging
import sys

from django.http import HttpResponse, JsonResponse
from django.template.loader import render_to_string
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from pymongo.errors import ConnectionFailure

from modelsnapper import health
from modelsnapper.db import TransactionRetriesExhausted
from modelsnapper.errors import caused_by
from modelsnapper.media import media_owner_id
from modelsnapper.observability import requestid

logger = logging.getLogger(__name__)


@require_GET
@never_cache
def healthz(request):
    """Every dependency's status, for a person looking: 503 only when the database is down."""
    report = health.check_all()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)


@require_GET
@never_cache
def livez(request):
    """Liveness: the process answers. No I/O, so a database outage never restarts it."""
    return JsonResponse({"status": "ok"})


@require_GET
@never_cache
def readyz(request):
    """Readiness: 503 takes this instance out of rotation (database or broker unreachable)."""
    report = health.readiness()
    return JsonResponse(report, status=503 if report["status"] == "down" else 200)


def server_error(request):
    """Friendly error pages rendered without a request context.

    Context processors may query the database, which is exactly what may be down;
    an unreachable database answers 503 so load balancers and users see an outage,
    not a bug.
    """
    _, exc, _ = sys.exc_info()
    # The request id lets a user quote this failure and us find its log lines.
    context = {"request_id": requestid.get()}
    if caused_by(exc, ConnectionFailure):
        return HttpResponse(render_to_string("503.html", context), status=503)
    if caused_by(exc, TransactionRetriesExhausted):
        # Too many people writing the same documents at once: nothing was saved, and the
        # same click a moment later will go through.
        busy = HttpResponse(render_to_string("503.html", {**context, "busy": True}), status=503)
        busy["Retry-After"] = "5"
        return busy
    return HttpResponse(render_to_string("500.html", context), status=500)


@require_GET
def serve_media(request, path: str):
    """A GridFS file by name. Private files are served to their owner only (404 otherwise)."""
    from django.core.files.storage import default_storage
    from django.http import Http404

    from modelsnapper.media import serve_file
    from modelsnapper.variants import is_variant_name

    owner_id = media_owner_id(path)
    if owner_id is not None and (not request.user.is_authenticated or str(request.user.pk) != owner_id):
        raise Http404("No such file.")
    return serve_file(
        request, storage=default_storage, name=path, public=owner_id is None, immutable=is_variant_name(path)
    )
