"""Who may do what in the marketplace: the one rule (issue 10 item 11).

The listing, the cards' buttons, the /generate/ choices, a submission and a
completion all ask here, so they cannot disagree (a model who became a business
was listed but could not be asked; their jobs still completed). The rule:

- a **model** is listed while their account is live and still a model account, the
  release is signed, the listing is active and holds 3–4 reference images;
- a **business** may generate with a listed model while its account is a business,
  its package includes human models, the model approved it and the category is
  within the model's scope (not refused, consent not expired);
- an **avatar** needs a business account and an active avatar, no consent;
- a **likeness model** (the catalog shoot: a catalog model with a reference input)
  makes sense only with a model or an avatar in it, so only a business may pick it.

Reads only. The writes that must see the same rule at commit time (the consent
stamp of a submission or a delivery) stay in ``generation.marketplace.consent.consent_hold``.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import BusinessProfile, ModelProfile, User
from billing.models import Wallet
from generation.models import AIAvatar, AIModel, ConsentRequest, Kind
from generation.providers import provider_name_for

MODEL_GONE = _("This model is no longer available.")
NOT_SIGNED = _("This model has not signed the likeness release.")
NOT_TAKING_WORK = _("This model is not taking work right now.")
NOT_APPROVED = _("This model has not approved your business.")
REVOKED = _("This model revoked their consent for your business.")
BUSINESS_ONLY = _("Only business accounts generate with models and avatars.")
NO_PACKAGE = _("Your package does not include human models. Buy a package that does.")
LIKENESS_BUSINESS_ONLY = _(
    "{name} makes catalog images with a model's or an avatar's likeness, which is for business accounts."
)
LIKENESS_NEEDS_SUBJECT = _("{name} makes images with a likeness: pick a model or an avatar.")
CANNOT_USE_LIKENESS = _("{name} cannot use a likeness. Pick the catalog shoot model.")
MARKET_FOR_BUSINESSES = _("The marketplace is for business accounts: they find models and avatars here.")


@dataclass(frozen=True)
class Verdict:
    """The answer, with what was read to reach it (so callers need not read it again)."""

    refusal: str  # "" when allowed
    profile: ModelProfile | None = None
    request: ConsentRequest | None = None


# --- accounts -------------------------------------------------------------------------


def is_live_model(user: User | None) -> bool:
    """A model account that can still be listed or asked (not deleted, not switched away)."""
    return (
        user is not None and user.role == User.Role.MODEL and user.deleted_at is None and bool(user.is_active)
    )


def business_refusal(user: User) -> str:
    """Why ``user`` may not work with models or avatars ("" for a live business account)."""
    if user.role != User.Role.BUSINESS or user.deleted_at is not None or not user.is_active:
        return BUSINESS_ONLY
    return ""


def market_refusal(user: User) -> str:
    """Why the marketplace's business pages are not for ``user`` ("" for a business)."""
    return MARKET_FOR_BUSINESSES if business_refusal(user) else ""


def package_refusal(business: User, *, wallet: Any = None) -> str:
    """Why the business's package does not allow human models ("" when it does)."""
    if wallet is None:
        wallet = Wallet.objects.filter(user_id=business.pk).one()
    if wallet is None or not wallet.human_model_access:
        return NO_PACKAGE
    return ""


# --- the listing ------------------------------------------------------------------------


def listing_refusal(model: User | None, profile: ModelProfile | None) -> str:
    """Why the model is not listed ("" when listed)."""
    if not is_live_model(model):
        return MODEL_GONE
    if profile is None or not profile.consent_signed:
        return NOT_SIGNED
    if not profile.is_listed:
        return NOT_TAKING_WORK  # paused, or withdrew their reference images
    return ""


def listed_models() -> list[ModelProfile]:
    """The profiles a business may find and ask, by name (two queries)."""
    profiles = list(ModelProfile.objects.filter(consent_signed=True, is_active=True).order_by("display_name"))
    users = {user.pk: user for user in User.objects.filter(pk__in=[p.user_id for p in profiles])}
    listed = [p for p in profiles if not listing_refusal(users.get(p.user_id), p)]
    for profile in listed:
        profile.user = users[profile.user_id]  # callers read the account without a query each
    return listed


def scope_refusal(profile: ModelProfile, category: str, *, today: date | None = None) -> str:
    """Why ``category`` is outside the model's scope ("" when inside)."""
    return profile.refuses(category, today=today)


def accepted_category(profile: ModelProfile, *, today: date | None = None) -> str:
    """The first category the model accepts, or "" when none (consent expired, all refused)."""
    today = today or timezone.localdate()
    for category in ModelProfile.Category.values:
        if not scope_refusal(profile, category, today=today):
            return category
    return ""


# --- generating with a human model --------------------------------------------------------


def human_model_verdict(
    *,
    business: User,
    model: User | None,
    category: str = "",
    wallet: Any = None,
    profile: ModelProfile | None = None,
    request: ConsentRequest | None = None,
) -> Verdict:
    """Whether ``business`` may generate with ``model`` now, in ``category``.

    Asked at submission and again inside a completion's transaction; ``wallet``,
    ``profile`` and ``request`` may be passed when the caller already read them
    (the marketplace page, for many cards at once).
    """
    refusal = business_refusal(business) or package_refusal(business, wallet=wallet)
    if refusal:
        return Verdict(refusal)
    if model is None:
        return Verdict(MODEL_GONE)
    if profile is None:
        profile = ModelProfile.objects.filter(user_id=model.pk).first()
    refusal = listing_refusal(model, profile)
    if refusal:
        return Verdict(refusal, profile)
    if request is None:
        request = ConsentRequest.objects.filter(business_id=business.pk, model_id=model.pk).first()
    if request is None or request.status != ConsentRequest.Status.APPROVED:
        if request is not None and request.status == ConsentRequest.Status.REVOKED:
            return Verdict(REVOKED, profile, request)
        return Verdict(NOT_APPROVED, profile, request)
    return Verdict(scope_refusal(profile, category), profile, request)


def approved_models_for(business: User) -> list[ModelProfile]:
    """The model profiles on the business's whitelist it may generate with now, by name."""
    profile = BusinessProfile.objects.filter(user_id=business.pk).first()
    if profile is None or not profile.approved_models or business_refusal(business):
        return []
    profiles = list(ModelProfile.objects.filter(pk__in=profile.approved_models).order_by("display_name"))
    users = {user.pk: user for user in User.objects.filter(pk__in=[p.user_id for p in profiles])}
    return [p for p in profiles if not listing_refusal(users.get(p.user_id), p)]


# --- catalog models (the likeness) --------------------------------------------------------


def is_likeness_model(ai_model: AIModel) -> bool:
    """A catalog model made to take a likeness (it has a reference input)."""
    return "reference_input_key" in (ai_model.default_parameters or {})


def can_take_likeness(ai_model: AIModel) -> bool:
    """Whether the model can be given a likeness: a likeness model, or the local provider
    (which draws the references in)."""
    return is_likeness_model(ai_model) or provider_name_for(ai_model) == "local"


def models_for(user: User | None, models: Iterable[AIModel]) -> list[AIModel]:
    """``models`` without the likeness models ``user`` may not use (all of them for a non-business)."""
    allowed = user is not None and not business_refusal(user)
    return [model for model in models if allowed or not is_likeness_model(model)]


def catalog_model_for(user: User) -> AIModel | None:
    """The model a "Generate with" link preselects: the first active likeness model the user
    may use, else the first active model that can take a likeness (None: none can)."""
    candidates = models_for(
        user, AIModel.objects.filter(is_active=True, kind__in=(Kind.TEXT_TO_IMAGE, Kind.IMAGE_TO_IMAGE))
    )
    return next((m for m in candidates if is_likeness_model(m)), None) or next(
        (m for m in candidates if can_take_likeness(m)), None
    )


def submission_verdict(
    *,
    user: User,
    ai_model: AIModel,
    human_model: User | None = None,
    avatar: AIAvatar | None = None,
    category: str = "",
) -> Verdict:
    """Whether ``user`` may submit this generation (who is in it, with which catalog model)."""
    if human_model is None and avatar is None:
        if category:
            return Verdict(gettext("Pick a model or an avatar for a catalog category."))
        if is_likeness_model(ai_model):
            template = LIKENESS_BUSINESS_ONLY if business_refusal(user) else LIKENESS_NEEDS_SUBJECT
            return Verdict(template.format(name=ai_model.name))
        return Verdict("")
    if human_model is not None and avatar is not None:
        return Verdict(gettext("Pick either a human model or an avatar, not both."))
    refusal = business_refusal(user)
    if refusal:
        return Verdict(refusal)
    if category and category not in ModelProfile.Category.values:
        return Verdict(gettext("Pick one of the listed categories."))
    if not can_take_likeness(ai_model):
        return Verdict(CANNOT_USE_LIKENESS.format(name=ai_model.name))
    if avatar is not None:
        return Verdict("" if avatar.is_active else gettext("This avatar is not available any more."))
    verdict = human_model_verdict(business=user, model=human_model, category=category)
    if verdict.refusal:
        return verdict
    if not category:
        return Verdict(gettext("Pick the catalog category, so the model's scope can be checked."))
    return verdict
