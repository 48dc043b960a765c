"""The quality score of an AI image (seed 002's ``neuralScore``): 0–10, deterministic, explained.

What it measures, all with Pillow on a copy downscaled to at most 256 px on its long side:

- **sharpness**: the variance of a 3×3 Laplacian (edge) filter over the grey picture. A blurred
  or flat picture has almost no edges (variance near 0), a crisp one a lot. Normalised as
  ``v / (v + 100)``: 100 (a soft but focused picture) gives 0.5, 900 gives 0.9.
- **exposure**: how close the mean luminance is to mid-grey (128 of 255), less the share of
  pixels clipped to black (≤ 5) or white (≥ 250): 1 for a well-exposed picture, 0 for a black
  or a blown-out one.
- **colourfulness**: Hasler and Süsstrunk's metric (2003),
  ``sqrt(σ_rg² + σ_yb²) + 0.3·sqrt(μ_rg² + μ_yb²)`` with ``rg = R − G`` and
  ``yb = (R + G)/2 − B``; 0 for a grey picture, about 33 "moderately", 59 "quite", 109
  "extremely" colourful. Normalised as ``min(M, 100) / 100``.

The **image measure** blends them: 0.4 × sharpness + 0.3 × exposure + 0.3 × colourfulness
(sharpness weighs most: a blurred output is the failure people notice first).

The **score** shown (0–10, one decimal) is 10 × the image measure. When the job's owner rated
it (``Job.rating``, 1–5 stars, the only rating a generated image has) the rating counts for a
fifth: 10 × (0.8 × measure + 0.2 × (stars − 1) / 4). It is not a judgement of taste.

The measure is computed once, when an output is stored (``running.outputs_store``), and kept on
the image; the score follows a rating (``job_quality_rescore``) and is copied to a post
published from the image (``Post.quality_score``, which explore sorts by).
``manage.py quality_backfill`` measures images stored before scores existed.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import IO

from PIL import Image as PILImage
from PIL import ImageChops, ImageFilter, ImageStat

from generation.models import Image, Job
from social.models import Post

LONG_SIDE = 256
WEIGHTS = {"sharpness": 0.4, "exposure": 0.3, "colourfulness": 0.3}
RATING_WEIGHT = 0.2
SHARPNESS_HALF = 100.0  # Laplacian variance that scores 0.5
COLOURFULNESS_FULL = 100.0  # Hasler–Süsstrunk M that scores 1
CLIP_LOW, CLIP_HIGH = 5, 250

_LAPLACIAN = ImageFilter.Kernel((3, 3), [0, 1, 0, 1, -4, 1, 0, 1, 0], scale=1, offset=128)


@dataclass(frozen=True)
class Measures:
    """Each 0–1 (see the module's docstring)."""

    sharpness: float
    exposure: float
    colourfulness: float

    @property
    def blended(self) -> float:
        return sum(getattr(self, name) * weight for name, weight in WEIGHTS.items())


def _downscaled(picture: PILImage.Image) -> PILImage.Image:
    rgb = picture.convert("RGB")
    width, height = rgb.size
    ratio = LONG_SIDE / max(width, height)
    if ratio < 1:
        size = (max(1, round(width * ratio)), max(1, round(height * ratio)))
        rgb = rgb.resize(size, PILImage.Resampling.BOX)
    return rgb


def _sharpness(grey: PILImage.Image) -> float:
    # offset 128 keeps the filter's negative responses; the variance does not depend on it.
    variance = ImageStat.Stat(grey.filter(_LAPLACIAN)).var[0]
    return variance / (variance + SHARPNESS_HALF)


def _exposure(grey: PILImage.Image) -> float:
    histogram = grey.histogram()
    pixels = sum(histogram) or 1
    mean = sum(level * count for level, count in enumerate(histogram)) / pixels
    clipped = (sum(histogram[: CLIP_LOW + 1]) + sum(histogram[CLIP_HIGH:])) / pixels
    return max(0.0, 1 - abs(mean - 128) / 128 - clipped)


def _colourfulness(rgb: PILImage.Image) -> float:
    red, green, blue = rgb.split()
    # Differences as 8-bit images without clipping: (a − b)/2 + 128 always lies in 0…255.
    rg = ImageStat.Stat(ImageChops.subtract(red, green, scale=2, offset=128))
    yellow = ImageChops.add(red, green, scale=2)  # (R + G)/2
    yb = ImageStat.Stat(ImageChops.subtract(yellow, blue, scale=2, offset=128))
    mean_rg, mean_yb = (rg.mean[0] - 128) * 2, (yb.mean[0] - 128) * 2
    std_rg, std_yb = rg.stddev[0] * 2, yb.stddev[0] * 2
    metric = math.hypot(std_rg, std_yb) + 0.3 * math.hypot(mean_rg, mean_yb)
    return min(metric, COLOURFULNESS_FULL) / COLOURFULNESS_FULL


def measure_picture(picture: PILImage.Image) -> Measures:
    rgb = _downscaled(picture)
    grey = rgb.convert("L")
    return Measures(
        sharpness=_clamp(_sharpness(grey)),
        exposure=_clamp(_exposure(grey)),
        colourfulness=_clamp(_colourfulness(rgb)),
    )


def image_measure(source: PILImage.Image | IO[bytes]) -> float:
    """The blended image measure, 0–1 (4 decimals), of a Pillow image or an image file."""
    if isinstance(source, PILImage.Image):
        return round(measure_picture(source).blended, 4)
    with PILImage.open(source) as picture:
        return round(measure_picture(picture).blended, 4)


def quality_score(measure: float | None, rating: int | None = None) -> float | None:
    """The 0–10 score shown and sorted by (one decimal): the measure, a fifth of it the rating."""
    if measure is None:
        return None
    blended = _clamp(measure)
    if rating:
        blended = (1 - RATING_WEIGHT) * blended + RATING_WEIGHT * _clamp((rating - 1) / 4)
    return round(10 * blended, 1)


def _clamp(value: float) -> float:
    return min(1.0, max(0.0, value))


def image_quality_store(*, image: Image) -> float | None:
    """Measure ``image``'s stored file and write its measure and score (the backfill's step).

    A file that cannot be read as an image is left unscored (None) rather than failing.
    """
    try:
        with image.file.open("rb") as handle:
            measure = image_measure(handle)
    except (OSError, ValueError, PILImage.DecompressionBombError):
        return None
    rating = (
        Job.objects.filter(pk=image.job_id).values_list("rating", flat=True).first() if image.job_id else None
    )
    score = quality_score(measure, rating)
    Image.objects.filter(pk=image.pk).update(quality_measure=measure, quality_score=score)
    image.quality_measure, image.quality_score = measure, score
    _posts_follow([image])
    return score


def job_quality_rescore(*, job: Job, rating: int | None) -> None:
    """A rating changed: its images' scores, and their posts', follow."""
    images = list(Image.objects.filter(job_id=job.pk, quality_measure__isnull=False))
    for image in images:
        image.quality_score = quality_score(image.quality_measure, rating)
        Image.objects.filter(pk=image.pk).update(quality_score=image.quality_score)
    _posts_follow(images)


def _posts_follow(images: list[Image]) -> None:
    """Posts published from these images carry the image's score (explore's quality sort)."""
    for image in images:
        Post.objects.filter(source_image=str(image.pk)).update(quality_score=image.quality_score)


def images_to_measure():
    """Stored AI images without a measure yet (the backfill's work list), oldest first."""
    return Image.objects.filter(
        quality_measure__isnull=True,
        deleted_at=None,
        image_type__in=[Image.Type.GENERATED, Image.Type.EDITED],
    ).order_by("id")
