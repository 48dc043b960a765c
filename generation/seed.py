"""The starting catalog (seeds 002 and 003). ``seed_catalog()`` is idempotent."""

from __future__ import annotations

from generation.models import AIModel, Kind

CATALOG = [
    {
        "slug": "flux-schnell",
        "name": "Flux Schnell (fast)",
        "kind": Kind.TEXT_TO_IMAGE,
        "credit_cost": 1,
        "provider_model": "black-forest-labs/flux-schnell",
        "position": 1,
        "description": "Fast text-to-image: a draft in a couple of seconds.",
        "default_parameters": {"cost_cents": 0.3},
    },
    {
        "slug": "flux-dev",
        "name": "Flux Dev (quality)",
        "kind": Kind.TEXT_TO_IMAGE,
        "credit_cost": 3,
        "provider_model": "black-forest-labs/flux-dev",
        "position": 2,
        "description": "Slower, more detailed text-to-image; can start from a picture.",
        # ``image``: flux-dev's input for image to image (the create page's "start from a picture").
        "default_parameters": {"cost_cents": 2.5, "image_input_key": "image"},
    },
    {
        "slug": "catalog-shoot",
        "name": "Catalog shoot (with a model's likeness)",
        "kind": Kind.IMAGE_TO_IMAGE,
        "credit_cost": 3,
        "provider_model": "google/nano-banana",
        "position": 3,
        "description": "Business catalog images with an approved human model or an AI avatar.",
        "default_parameters": {"reference_input_key": "image_input", "cost_cents": 3.9},
    },
    {
        "slug": "qwen-image-edit",
        "name": "qwen-image-edit",
        "kind": Kind.IMAGE_EDIT,
        "credit_cost": 2,
        "provider_model": "qwen/qwen-image-edit",
        "position": 3,
        "description": "Edit an image with an instruction.",
        "default_parameters": {"image_input_key": "image", "cost_cents": 3},
    },
    {
        "slug": "gemini-flash-image",
        "name": "gemini-flash-image",
        "kind": Kind.IMAGE_EDIT,
        "credit_cost": 2,
        "provider_model": "google/gemini-2.5-flash-image",
        "position": 4,
        "description": "Fast instruction-based edits.",
        "default_parameters": {"image_input_key": "image_input", "cost_cents": 3.9},
    },
    {
        "slug": "flux-dev-lora-trainer",
        "name": "Flux LoRA trainer",
        "kind": Kind.TRAINING_BASE,
        "credit_cost": 50,
        "provider_model": "ostris/flux-dev-lora-trainer",
        "provider_version": "e440909d3512c31646ee2e0c7d6f6f4923224863a6a10c494606e79fb5844497",
        "position": 5,
        "description": "Base for personal models trained on 10–20 of your photos.",
        "default_parameters": {},
    },
    {
        "slug": "my-model",
        "name": "My model",
        "kind": Kind.PERSONAL,
        "credit_cost": 2,
        "position": 6,
        "description": "Generate with the personal model you trained.",
        "default_parameters": {"cost_cents": 2.5},
    },
]


def seed_catalog() -> int:
    """Create the catalog rows that are missing (by slug); never overwrite staff edits."""
    created = 0
    for row in CATALOG:
        fields = {key: value for key, value in row.items() if key != "slug"}
        _, was_created = AIModel.objects.get_or_create(slug=row["slug"], defaults=fields)
        created += was_created
    return created


FEED_PROMPTS = [
    "A lighthouse on a cliff at dusk, warm light, long exposure",
    "A paper boat sailing across a rain puddle, macro photo",
    "A fox curled up in fresh snow, soft morning light",
    "A neon-lit ramen shop on a rainy street at night",
    "A cozy reading nook with plants and afternoon sun",
    "An astronaut tending a tiny garden on the moon",
]


def seed_feed_examples(*, user) -> int:
    """Public example images (drawn by the local provider) curated on the landing page.

    Idempotent by prompt; ``user`` owns the images (a staff or demo account).
    """
    from django.core.files.base import ContentFile

    from generation.models import FeedExample, Image
    from generation.providers.local import dimensions

    created = 0
    for position, prompt in enumerate(FEED_PROMPTS, start=1):
        if FeedExample.objects.filter(prompt=prompt).exists():
            continue
        width, height = dimensions("4:3", "standard")
        data = _drawing(prompt, seed=position, aspect_ratio="4:3")
        image = Image(
            user=user,
            image_type=Image.Type.GENERATED,
            prompt=prompt,
            is_public=True,
            file_format="png",
            file_size=len(data),
            width=width,
            height=height,
        )
        image.file.save(f"feed-{position}.png", ContentFile(data), save=False)
        image.save()
        FeedExample.objects.create(image=image, prompt=prompt, position=position)
        created += 1
    return created


def _drawing(prompt: str, *, seed: int, aspect_ratio: str = "1:1") -> bytes:
    """A PNG drawn offline by the local provider, as if for a job with this prompt."""
    from types import SimpleNamespace

    from generation.providers.local import render

    fake_job = SimpleNamespace(
        prompt=prompt,
        negative_prompt="",
        style="",
        aspect_ratio=aspect_ratio,
        quality="standard",
        steps=None,
        guidance=None,
        seed=seed,
        source_image_id=None,
        source_image=None,
    )
    return render(fake_job, 0)


DEMO_AVATARS = [
    ("Ava", "Synthetic studio model, neutral styling."),
    ("Noor", "Synthetic model for outdoor and casual shoots."),
]


def seed_marketplace() -> dict[str, int]:
    """A usable demo marketplace: avatars, onboarded demo models, a business one of them approved.

    Idempotent: avatars by name; a model already holding references or a signature
    keeps them; the business's demo credits have one ledger key; consent requests
    are unique per pair and approving twice changes nothing.
    """
    from django.core.files.base import ContentFile
    from django.core.files.uploadedfile import SimpleUploadedFile

    from accounts.models import User
    from billing.models import Wallet
    from billing.services import credits_grant, wallet_for
    from generation.marketplace.consent import consent_approve, consent_request_create
    from generation.marketplace.onboarding import (
        REFERENCE_MIN,
        RELEASE_VERSION,
        model_profile_for,
        model_references_set,
        model_release_sign,
    )
    from generation.models import AIAvatar

    made = {"avatars": 0, "models": 0, "approvals": 0}
    for position, (name, description) in enumerate(DEMO_AVATARS, start=1):
        if AIAvatar.objects.filter(name=name).exists():
            continue
        avatar = AIAvatar(name=name, description=description)
        avatar.reference_image.save(
            f"{name.lower()}.png", ContentFile(_drawing(name, seed=position)), save=False
        )
        avatar.save()
        made["avatars"] += 1

    demo = User.objects.filter(username__startswith="demo", deleted_at=None).order_by("username")
    models = [user for user in demo if user.role == User.Role.MODEL]
    businesses = [user for user in demo if user.role == User.Role.BUSINESS]
    for model in models:
        profile = model_profile_for(user=model)
        if not profile.reference_images:
            uploads = [
                SimpleUploadedFile(
                    f"reference-{n}.png", _drawing(f"{model.username} {n}", seed=n), "image/png"
                )
                for n in range(REFERENCE_MIN)
            ]
            model_references_set(user=model, uploads=uploads)
            made["models"] += 1
        if not profile.consent_signed:
            model_release_sign(user=model, version=RELEASE_VERSION, ip=None)
    for business in businesses:
        wallet_for(business)
        Wallet.objects.filter(user_id=business.pk).update(human_model_access=True)
        credits_grant(
            user=business,
            amount=50,
            bucket="purchased",
            entry_type="bonus",
            idempotency_key=f"demo:marketplace:{business.pk}",
            description="Demo credits for catalog shoots",
        )
    if models and businesses:
        request, _ = consent_request_create(business=businesses[0], model=models[0], message="Demo shoot")
        if request.status == request.Status.REQUESTED:  # never undo a demo revocation
            consent_approve(model=models[0], request=request)
            made["approvals"] += 1
    return made
