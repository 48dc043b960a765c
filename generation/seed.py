"""Generation's seeding: the starting catalog (seeds 002 and 003), and the demo site's
feed examples, marketplace, image gallery and jobs in every status.

``seed_catalog()`` runs everywhere (no accounts). The demo parts record what they make
(``modelsnapper.seeding``), so running them again adds only what is missing and
``seed_demo --cleanup`` removes exactly that. Credits move through the billing ledger.
"""

from __future__ import annotations

import io
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils.translation import gettext_noop
from PIL import Image as PILImage
from PIL import ImageDraw

from accounts.models import User
from billing.models import RefundMarker, Wallet
from billing.seed import seed_catalog as seed_billing_catalog
from billing.services import credits_grant, wallet_for
from generation.ending import job_end
from generation.marketplace.consent import consent_approve, consent_request_create
from generation.marketplace.onboarding import (
    REFERENCE_MIN,
    RELEASE_VERSION,
    model_profile_for,
    model_references_set,
    model_release_sign,
)
from generation.models import AIAvatar, AIModel, FeedExample, Image, Job, Kind, PersonalModel, PromptPreset
from generation.providers.local import dimensions, render
from generation.quality import image_measure, quality_score
from generation.running import job_claim, job_run
from generation.services import JobParameters, job_cancel, job_submit
from generation.training import (
    MIN_PHOTOS,
    personal_model_create,
    training_photos_add,
    training_run,
    training_start,
)
from modelsnapper.images import validate_image_upload
from modelsnapper.picture_sources import picture_variants_store
from modelsnapper.seeding import seed_once, seed_record, seeded

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


# The create page's first style chips; staff edit, reorder or retire them in the admin.
PROMPT_PRESETS = [
    ("Cinematic", "cinematic lighting, 35mm film, shallow depth of field"),
    ("Watercolor", "soft watercolor, visible paper texture"),
    ("Studio portrait", "studio portrait, softbox lighting, plain backdrop"),
    ("Isometric", "isometric 3D render, soft pastel colours"),
    ("Analog photo", "analog film photo, natural grain, warm tones"),
]


def seed_prompt_presets() -> int:
    """Create the presets that are missing (by name); never overwrite or revive staff edits."""
    created = 0
    for position, (name, text) in enumerate(PROMPT_PRESETS):
        _, was_created = PromptPreset.objects.get_or_create(
            name=name, defaults={"text": text, "position": position}
        )
        created += was_created
    return created


def seed_catalogs() -> None:
    """Every catalogue a deployment starts from: billing's plans and packs, the AI models, the style presets."""
    seed_billing_catalog()
    seed_catalog()
    seed_prompt_presets()


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
    created = 0
    for position, prompt in enumerate(FEED_PROMPTS, start=1):
        if FeedExample.objects.filter(prompt=prompt).exists():
            continue
        width, height = dimensions("4:3", "standard")
        data = _drawing(prompt, seed=position, aspect_ratio="4:3")
        measure = image_measure(io.BytesIO(data))  # as outputs_store measures a job's output
        image = Image(
            user=user,
            image_type=Image.Type.GENERATED,
            prompt=prompt,
            is_public=True,
            file_format="png",
            file_size=len(data),
            width=width,
            height=height,
            quality_measure=measure,
            quality_score=quality_score(measure),
        )
        image.file.save(f"feed-{position}.png", ContentFile(data), save=False)
        image.save()
        # Drawn here rather than by a job, so its variants (WebP sizes) are made here too.
        picture_variants_store(obj=image, data=data)
        example = FeedExample.objects.create(image=image, prompt=prompt, position=position)
        seed_record(f"feed-example:{position}", example)
        seed_record(f"feed-example:{position}:image", image)
        created += 1
    return created


def _drawing(prompt: str, *, seed: int, aspect_ratio: str = "1:1") -> bytes:
    """A PNG drawn offline by the local provider, as if for a job with this prompt."""
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
    made = {"avatars": 0, "models": 0, "approvals": 0}
    for position, (name, description) in enumerate(DEMO_AVATARS, start=1):
        if AIAvatar.objects.filter(name=name).exists():
            continue
        avatar = AIAvatar(name=name, description=description)
        drawing = _drawing(name, seed=position)
        avatar.reference_image.save(f"{name.lower()}.png", ContentFile(drawing), save=False)
        avatar.save()
        picture_variants_store(obj=avatar, data=drawing)
        seed_record(f"avatar:{name}", avatar)
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


# --- the demo gallery and jobs in every status ----------------------------------------

DEMO_CREDITS = 50
GALLERY_PROMPTS = [
    "A glass greenhouse full of orchids at golden hour",
    "A retro robot reading a newspaper in a Paris cafe",
    "Misty pine forest with a red cabin, aerial view",
    "A bowl of ramen with steam rising, studio light",
    "Desert dunes under a violet sky with two moons",
    "A vintage bicycle leaning on a blue door in Lisbon",
    "Koi fish in a pond seen from above, watercolour",
    "A cyberpunk alley with neon signs in the rain",
    "Snowy mountain lake at dawn, perfectly still",
    "A portrait of a corgi wearing a tiny astronaut helmet",
    "Macro shot of dew drops on a spider web",
    "A cosy bookshop with a sleeping cat on the counter",
]
STATUS_PROMPTS = {
    Job.Status.PENDING: "A hot air balloon over lavender fields",
    Job.Status.PROCESSING: "A lighthouse keeper's kitchen at night",
    Job.Status.COMPLETED: "A sailboat on a glassy sea at sunrise",
    Job.Status.FAILED: "A city made of sugar cubes",
    Job.Status.CANCELED: "An owl librarian in a candlelit tower",
    Job.Status.EXPIRED: "A train crossing a bridge in autumn",
}


def demo_model() -> AIModel:
    """The fast text-to-image model of the catalog, which the demo jobs use."""
    return AIModel.objects.get(slug="flux-schnell")


def seed_demo_credits(*, user: Any) -> None:
    """A bonus so every demo account can try things at once (one ledger entry per account)."""
    wallet_for(user)
    credits_grant(
        user=user,
        amount=DEMO_CREDITS,
        bucket="purchased",
        entry_type="bonus",
        idempotency_key=f"demo:credits:{user.pk}",
        description="Demo credits",
    )


def _completed_job(*, user: Any, prompt: str, seed: int, quality: str = Job.Quality.HD) -> Job:
    """A job made the way a user makes one: submitted, charged, run by the local provider."""
    job = job_submit(
        user=user,
        ai_model=demo_model(),
        prompt=prompt,
        parameters=JobParameters(quality=quality, seed=seed),
    )
    # Run now, so the demo is complete when seeding ends; with eager tasks (tests) it already
    # ran, and a worker that receives the queued task later finds it done: both are no-ops.
    job_run(job.pk)
    job.refresh_from_db()
    return job


def seed_gallery(*, people: list[Any], per_person: int) -> list[Image]:
    """``per_person`` completed generations for each demo account; their images.

    The first of each account's is HD (1024 px), the others standard (512 px): full-size
    pictures where they count, at half the seeding time (every stored picture also gets its
    WebP variants made).
    """
    images: list[Image] = []
    for position, person in enumerate(people):
        for n in range(per_person):
            prompt = GALLERY_PROMPTS[(position * per_person + n) % len(GALLERY_PROMPTS)]
            quality = Job.Quality.HD if n == 0 else Job.Quality.STANDARD
            job, _ = seed_once(
                f"job:{person.username}:gallery:{n}",
                lambda person=person, prompt=prompt, n=n, quality=quality: _completed_job(
                    user=person, prompt=prompt, seed=n + 1, quality=quality
                ),
            )
            images += list(Image.objects.filter(job_id=job.pk).shown().order_by("output_index"))
    return images


def _unqueued_job(*, user: Any, prompt: str) -> Job:
    """A submitted job left unqueued: a queued job runs at once under eager tasks, and these
    demo jobs must stay where the demo leaves them."""
    return job_submit(
        user=user, ai_model=demo_model(), prompt=prompt, parameters=JobParameters(seed=7), queue=False
    )


def _job_in(status: str, *, user: Any) -> Job:
    """A job that reached ``status`` through the services that move real jobs there."""
    prompt = STATUS_PROMPTS[status]
    if status == Job.Status.COMPLETED:
        return _completed_job(user=user, prompt=prompt, seed=7, quality=Job.Quality.STANDARD)
    job = _unqueued_job(user=user, prompt=prompt)
    if status == Job.Status.PROCESSING:
        job_claim(job.pk)  # a worker picked it up
    elif status == Job.Status.FAILED:
        job_end(
            job,
            status=Job.Status.FAILED,
            reason=Job.RefundReason.PROVIDER_FAILED,
            error="The model could not make this image. Your credits were refunded.",
            detail="demo: the provider reported a failure",
        )
    elif status == Job.Status.CANCELED:
        job_cancel(job=job)
    elif status == Job.Status.EXPIRED:
        job_end(
            job,
            status=Job.Status.EXPIRED,
            reason=Job.RefundReason.EXPIRED,
            error="This took too long, so we stopped it. Your credits were refunded.",
        )
    job.refresh_from_db()
    marker = RefundMarker.objects.filter(charge_key=job.charge_key).first()
    if marker is not None:  # the refund's once-only guard goes with the demo job
        seed_record(f"refund-marker:{job.pk}", marker)
    return job


def seed_job_statuses(*, user: Any) -> dict[str, Job]:
    """One of ``user``'s jobs in each status: pending, processing, completed, failed, canceled, expired."""
    jobs = {}
    for status in Job.Status.values:
        jobs[status], _ = seed_once(
            f"job:{user.username}:{status}", lambda status=status: _job_in(status, user=user)
        )
    return jobs


def feed_example_images() -> list[Image]:
    """The images of the landing examples this seeding drew (not those staff curated)."""
    found = (seeded(f"feed-example:{position}:image") for position in range(1, len(FEED_PROMPTS) + 1))
    return [image for image in found if image is not None]


# demo1's personal models: a name and the colour of its (drawn) training photos.
DEMO_PERSONAL_MODELS = (("Studio portraits", (200, 170, 150)), ("Outdoors", (90, 140, 110)))


def _trained_model(*, user: Any, name: str, colour: tuple[int, int, int], n: int) -> PersonalModel:
    """A personal model made the way a person makes one: named, ten photos, trained (local provider).

    The demo grants the training's credits first, so the demo account's own credits stay whole.
    """
    personal = personal_model_create(user=user, name=name)
    photos = []
    for index in range(MIN_PHOTOS):
        photos.append(
            validate_image_upload(
                SimpleUploadedFile(f"photo{index}.png", _portrait(colour, index), content_type="image/png")
            )
        )
    training_photos_add(personal=personal, uploads=photos)
    base = AIModel.objects.get(kind=Kind.TRAINING_BASE, is_active=True)
    credits_grant(
        user=user,
        amount=settings.GENERATION_TRAINING_COST,
        bucket="purchased",
        entry_type="bonus",
        idempotency_key=f"demo:training-credits:{user.pk}:{n}",
        description=gettext_noop("Demo credits for training a personal model"),  # translated when shown
    )
    run = training_start(user=user, personal=personal, base_model=base)
    # Train now, so the demo is complete when seeding ends; with eager tasks (tests) it already
    # ran, and a worker that receives the queued task later finds it claimed: both are no-ops.
    training_run(run.pk)
    personal.refresh_from_db()
    return personal


def _portrait(colour: tuple[int, int, int], index: int) -> bytes:
    """A small stand-in photo: a head-and-shoulders silhouette on a shade of ``colour``."""
    background = tuple(min(255, channel + index * 6) for channel in colour)
    picture = PILImage.new("RGB", (96, 96), background)
    draw = ImageDraw.Draw(picture)
    draw.ellipse((34, 16 + index % 4, 62, 48 + index % 4), fill=(60, 45, 40))
    draw.ellipse((18, 52, 78, 120), fill=(40, 40, 60))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def seed_personal_models(*, user: Any) -> list[PersonalModel]:
    """``user``'s two trained personal models (demo1 picks them on the create page)."""
    return [
        seed_once(
            f"personal-model:{user.username}:{n}",
            lambda name=name, colour=colour, n=n: _trained_model(user=user, name=name, colour=colour, n=n),
        )[0]
        for n, (name, colour) in enumerate(DEMO_PERSONAL_MODELS, start=1)
    ]
