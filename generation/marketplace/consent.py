"""Consent between businesses and human models (seed 001).

One :class:`ConsentRequest` per (business, model) — the compound unique index
makes asking twice return the request that exists. Each status change is a
conditional single-document update plus an append-only :class:`ConsentEvent`,
committed together through ``run_in_transaction``.

Revocation takes effect at once: new generations for the pair are refused at
submit, queued or running jobs are canceled and refunded (``generation.ending``:
once per job; consent sits above it and never reaches back into the job
services), and a completion that arrives later finds the job ended — or, if it
was already storing outputs, re-checks consent before completing and withholds them.
"""

from __future__ import annotations

import logging
from typing import Any

from django.db import DEFAULT_DB_ALIAS, IntegrityError, connections
from django.http import Http404
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext, gettext_noop

from accounts.models import BusinessProfile, ModelProfile, User
from generation.ending import job_end_consent_revoked
from generation.marketplace.eligibility import business_refusal, human_model_verdict, is_live_model
from generation.models import ConsentEvent, ConsentRequest, Job
from modelsnapper.db import run_in_transaction
from modelsnapper.ids import object_id_or_404
from modelsnapper.sentences import Sentence
from social import services as social_services  # looked up per call: tests break the notice there
from social.models import Notification

logger = logging.getLogger(__name__)
Status = ConsentRequest.Status
Kind = ConsentEvent.Kind


class ConsentError(Exception):
    """A rule refused the request; the message is fit to show the person."""


def _event(request_id: Any, kind: str, actor: User | None, note: str = "") -> None:
    ConsentEvent.objects.create(
        request_id=request_id, kind=kind, actor_id=getattr(actor, "pk", None), note=note[:300]
    )


def consent_request_create(*, business: User, model: User, message: str = "") -> tuple[ConsentRequest, bool]:
    """Ask ``model`` for consent. Returns (request, created); asking again returns the existing one."""
    if business_refusal(business):
        raise ConsentError(gettext("Only business accounts can ask models for consent."))
    if not is_live_model(model):
        raise ConsentError(gettext("This person is not a model on ModelSnapper."))
    if business.pk == model.pk:
        raise ConsentError(gettext("You cannot ask yourself for consent."))
    existing = ConsentRequest.objects.filter(business_id=business.pk, model_id=model.pk).first()
    if existing is not None:
        return existing, False
    # The whitelist an approval writes to lives on the business profile.
    business_profile, _ = BusinessProfile.objects.get_or_create(
        user=business, defaults={"business_name": business.display_name}
    )

    def txn() -> ConsentRequest:
        request = ConsentRequest.objects.create(business=business, model=model, message=message[:500])
        _event(request.pk, Kind.REQUESTED, business, message)
        return request

    try:
        request = run_in_transaction(txn)
    except IntegrityError:
        return ConsentRequest.objects.get(business_id=business.pk, model_id=model.pk), False
    _notify(
        recipient=model,
        actor=business,
        request=request,
        text=Sentence(
            gettext_noop("%(name)s asks to make catalog images with your likeness"),
            {"name": business_profile.business_name},
        ),
        url=reverse("marketplace:inbox"),
    )
    return request, True


def _notify(*, recipient: User, actor: User, request: ConsentRequest, text: Sentence, url: str = "") -> None:
    """Tell the other side (in-app, and by e-mail unless they opted out of consent notices).

    Best effort: the consent change has committed by now, and a failed notice must not
    turn it into an error page or stop a revocation from canceling the pair's jobs.
    """
    try:
        social_services.notification_create(
            recipient=recipient,
            kind=Notification.Kind.CONSENT,
            actor=actor,
            target_type="consent",
            target_id=request.pk,
            text=text,
            url=url or reverse("marketplace:consent", args=[request.pk]),
        )
    except Exception:
        logger.exception("consent request %s: could not notify user %s", request.pk, recipient.pk)


def _request_or_404(request_id: Any) -> ConsentRequest:
    missing = "No such consent request."
    request = ConsentRequest.objects.filter(pk=object_id_or_404(request_id, missing)).first()
    if request is None:
        raise Http404(missing)
    return request


def consent_request_for_model(*, model: User, request_id: Any) -> ConsentRequest:
    """The model's own request, or 404 (someone else's id, or nonsense)."""
    request = _request_or_404(request_id)
    if request.model_id != model.pk:
        raise Http404("No such consent request.")
    return request


def consent_request_for_party(*, user: User, request_id: Any) -> ConsentRequest:
    """A request the user is either side of (to read its events), or 404."""
    request = _request_or_404(request_id)
    if user.pk not in (request.business_id, request.model_id):
        raise Http404("No such consent request.")
    return request


def _whitelists_set(*, business_id: Any, model_id: Any, approved: bool) -> None:
    """Add the pair to (or remove it from) both seed-001 whitelists, inside the caller's transaction.

    ``$addToSet``/``$pull`` rather than read-modify-write: approvals of different
    businesses by one model touch the same profile document and must not lose each other.
    """
    connection = connections[DEFAULT_DB_ALIAS]
    operator = "$addToSet" if approved else "$pull"
    model_profile_id = ModelProfile.objects.filter(user_id=model_id).values_list("pk", flat=True).first()
    connection.get_collection(ModelProfile._meta.db_table).update_one(
        {"user_id": model_id}, {operator: {"approved_businesses": business_id}}, session=connection.session
    )
    if model_profile_id is not None:
        connection.get_collection(BusinessProfile._meta.db_table).update_one(
            {"user_id": business_id},
            {operator: {"approved_models": model_profile_id}},
            session=connection.session,
        )


def _transition(
    request: ConsentRequest,
    *,
    actor: User,
    allowed: tuple[str, ...],
    to: str,
    kind: str,
    note: str,
    refused: str = "",
    **fields,
) -> ConsentRequest:
    """Move the request from one of ``allowed`` to ``to``, with its event and both whitelists, at once.

    ``refused``: the sentence when the request is in none of ``allowed`` (a default names its status).
    """

    def txn() -> bool:
        changed = ConsentRequest.objects.filter(pk=request.pk, status__in=allowed).update(status=to, **fields)
        if changed != 1:
            return False
        _event(request.pk, kind, actor, note)
        _whitelists_set(
            business_id=request.business_id, model_id=request.model_id, approved=to == Status.APPROVED
        )
        return True

    if not run_in_transaction(txn):
        current = ConsentRequest.objects.get(pk=request.pk)
        if current.status == to:
            return current  # a double click: already done
        raise ConsentError(
            refused
            or gettext("This request is %(status)s; it cannot be changed so.")
            % {"status": str(current.get_status_display()).lower()}
        )
    request.refresh_from_db()
    business = User.objects.filter(pk=request.business_id).first()
    if business is not None:
        _notify(
            recipient=business,
            actor=actor,
            request=request,
            text=Sentence(ANSWERS[to], {"name": _model_name(actor)}),
        )
    return request


def _model_name(model: User) -> str:
    names = ModelProfile.objects.filter(user_id=model.pk).values_list("display_name", flat=True)
    return next(iter(names), "") or model.display_name


ANSWERS = {
    Status.APPROVED: gettext_noop("%(name)s approved your consent request"),
    Status.REJECTED: gettext_noop("%(name)s declined your consent request"),
    Status.REVOKED: gettext_noop("%(name)s revoked your consent request"),
}


def consent_approve(*, model: User, request: ConsentRequest, note: str = "") -> ConsentRequest:
    if request.model_id != model.pk:
        raise Http404("No such consent request.")
    if request.business_id == model.pk:
        raise ConsentError(gettext("You cannot approve your own business account."))
    profile = ModelProfile.objects.filter(user_id=model.pk).first()
    if profile is None or not profile.consent_signed:
        raise ConsentError(gettext("Sign the likeness release before approving businesses."))
    return _transition(
        request,
        actor=model,
        allowed=(Status.REQUESTED, Status.REJECTED, Status.REVOKED),
        to=Status.APPROVED,
        kind=Kind.APPROVED,
        note=note,
        decided_at=timezone.now(),
        revoked_at=None,
    )


def consent_reject(*, model: User, request: ConsentRequest, note: str = "") -> ConsentRequest:
    if request.model_id != model.pk:
        raise Http404("No such consent request.")
    return _transition(
        request,
        actor=model,
        allowed=(Status.REQUESTED,),
        to=Status.REJECTED,
        kind=Kind.REJECTED,
        note=note,
        decided_at=timezone.now(),
    )


def consent_revoke(*, model: User, request: ConsentRequest, note: str = "") -> ConsentRequest:
    """Revoke at once: block new jobs, cancel and refund queued or running ones for the pair.

    Only an approved consent is revoked; a request never approved is declined instead.
    """
    if request.model_id != model.pk:
        raise Http404("No such consent request.")
    request = _transition(
        request,
        actor=model,
        allowed=(Status.APPROVED,),
        refused=gettext("This request is not approved, so there is nothing to revoke."),
        to=Status.REVOKED,
        kind=Kind.REVOKED,
        note=note,
        revoked_at=timezone.now(),
    )
    consent_cancel_jobs(business_id=request.business_id, model_id=request.model_id)
    return request


def consent_cancel_jobs(*, business_id: Any, model_id: Any) -> int:
    """Cancel and refund every queued or running job of the pair; returns how many ended."""
    ended = 0
    jobs = Job.objects.filter(user_id=business_id, human_model_id=model_id, status__in=Job.ACTIVE)
    for job in list(jobs):
        if job_end_consent_revoked(job=job):
            ended += 1
    return ended


def consent_refusal(*, business: User, model: User, category: str = "") -> str:
    """Why ``business`` may not generate with ``model`` now ("" when it may): the marketplace rule."""
    return human_model_verdict(business=business, model=model, category=category).refusal


def consent_hold(request_id: Any, *, stamp: str) -> bool:
    """Whether the consent request is still approved, stamping ``stamp`` (a time field) on it.

    Called inside a submission's or a completion's transaction. A revocation or a
    change of terms writes the same document, so whichever commits second
    conflicts, runs again and sees the other.
    """
    return bool(
        ConsentRequest.objects.filter(pk=request_id, status=Status.APPROVED).update(**{stamp: timezone.now()})
    )


def consent_events(*, request: ConsentRequest) -> list[ConsentEvent]:
    return list(ConsentEvent.objects.filter(request_id=request.pk).order_by("created", "id"))
