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
        "description": "Slower, more detailed text-to-image.",
        "default_parameters": {"cost_cents": 2.5},
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
    from types import SimpleNamespace

    from django.core.files.base import ContentFile

    from generation.models import FeedExample, Image
    from generation.providers.local import dimensions, render

    created = 0
    for position, prompt in enumerate(FEED_PROMPTS, start=1):
        if FeedExample.objects.filter(prompt=prompt).exists():
            continue
        fake_job = SimpleNamespace(
            prompt=prompt,
            negative_prompt="",
            style="",
            aspect_ratio="4:3",
            quality="standard",
            steps=None,
            guidance=None,
            seed=position,
            source_image_id=None,
            source_image=None,
        )
        width, height = dimensions("4:3", "standard")
        data = render(fake_job, 0)
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
