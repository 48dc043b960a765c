"""Gallery fixtures: finished generations with real stored pictures, made without a provider run."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from generation.models import Image, Job
from modelsnapper.picture_sources import picture_variants_build
from modelsnapper.testing.media import png_bytes


@pytest.fixture
def make_job(local_model):
    """``make_job(user, outputs=1, size=None, variants=False, **job_fields)``: a completed job
    whose outputs are stored PNGs (with their WebP variants when ``variants``)."""

    def make(user, outputs: int = 1, size=None, variants: bool = False, **fields) -> Job:
        now = timezone.now()
        fields.setdefault("status", Job.Status.COMPLETED)
        fields.setdefault("prompt", "a lighthouse at dusk")
        job = Job.objects.create(
            user=user,
            ai_model=fields.pop("ai_model", local_model),
            seed=7,
            deadline_at=now + timedelta(minutes=15),
            num_outputs=max(outputs, 1),
            **fields,
        )
        for index in range(outputs):
            width, height = size or (24 + index, 16)
            data = png_bytes((width, height), colour=(20 * index, 90, 160))
            image = Image(
                user=user,
                image_type=Image.Type.GENERATED,
                job=job,
                output_index=index,
                prompt=job.prompt,
                file_format="png",
                file_size=len(data),
                width=width,
                height=height,
            )
            image.file.save(f"{job.pk}-{index}.png", ContentFile(data), save=False)
            image.save()
            if variants:  # as the worker makes them when it stores an output
                picture_variants_build(obj=image, data=data)
        return job

    return make
