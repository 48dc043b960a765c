"""The offline provider: draws a deterministic picture with Pillow.

Same prompt, parameters and seed → the same pixels, so remix is reproducible
and every page works without a network. A catalog model can make it misbehave
for tests and demos through its ``default_parameters``:
``local_behaviour`` = ``fail`` | ``hang`` | ``empty`` | ``cancel`` and
``local_delay`` = seconds to spend "rendering".
"""

from __future__ import annotations

import hashlib
import io
import random
import time
from collections.abc import Sequence

from PIL import Image, ImageDraw, ImageFilter, ImageOps

from generation.providers.base import CANCELED, FAILED, RUNNING, SUCCEEDED, Output, Result, TrainingResult

LONG_SIDE = {"standard": 512, "hd": 1024}
RATIOS = {"1:1": (1, 1), "16:9": (16, 9), "9:16": (9, 16), "4:3": (4, 3), "3:4": (3, 4)}


def dimensions(aspect_ratio: str, quality: str) -> tuple[int, int]:
    w, h = RATIOS.get(aspect_ratio, (1, 1))
    long_side = LONG_SIDE.get(quality, 512)
    if w >= h:
        return long_side, max(8, round(long_side * h / w))
    return max(8, round(long_side * w / h)), long_side


def _rng(job, index: int) -> random.Random:
    material = "|".join(
        str(part)
        for part in (
            job.prompt,
            job.negative_prompt,
            job.style,
            job.aspect_ratio,
            job.quality,
            job.steps,
            job.guidance,
            job.seed,
            index,
            job.source_image_id or "",
        )
    )
    return random.Random(int.from_bytes(hashlib.sha256(material.encode()).digest()[:8], "big"))


def _palette(rng: random.Random) -> list[tuple[int, int, int]]:
    return [(rng.randrange(256), rng.randrange(256), rng.randrange(256)) for _ in range(16)]


def render(job, index: int, *, likeness: Image.Image | None = None) -> bytes:
    rng = _rng(job, index)
    width, height = dimensions(job.aspect_ratio, job.quality)
    if job.source_image_id and job.source_image is not None:
        with job.source_image.file.open("rb") as handle:
            source = Image.open(handle)
            source.load()
        base = ImageOps.fit(source.convert("RGB"), (width, height))
        tint = Image.new("RGB", (width, height), _palette(rng)[0])
        picture = Image.blend(ImageOps.posterize(base, 1 + rng.randrange(4)), tint, 0.25)
    else:
        colours = _palette(rng)
        tiny = Image.new("RGB", (4, 4))
        tiny.putdata(colours)
        picture = tiny.resize((width, height), Image.Resampling.BICUBIC)
        draw = ImageDraw.Draw(picture)
        for _ in range(6):
            x, y = rng.randrange(width), rng.randrange(height)
            r = rng.randrange(8, max(9, min(width, height) // 4))
            draw.ellipse((x - r, y - r, x + r, y + r), fill=rng.choice(colours))
        picture = picture.filter(ImageFilter.GaussianBlur(2))
    if likeness is not None:
        picture.paste(likeness, (8, 8))
    draw = ImageDraw.Draw(picture)
    draw.rectangle((0, height - 22, width, height), fill=(0, 0, 0))
    draw.text((6, height - 18), job.prompt[:70], fill=(255, 255, 255))
    out = io.BytesIO()
    picture.save(out, format="PNG")
    return out.getvalue()


def likeness_inset(references: Sequence[bytes], picture_size: tuple[int, int]) -> Image.Image | None:
    """The model's (or avatar's) first reference image, framed, to put top left of each output:
    offline, this is how a catalog shoot shows whose likeness it was made with."""
    if not references:
        return None
    side = max(16, min(picture_size) // 3)
    with Image.open(io.BytesIO(references[0])) as reference:
        inset = ImageOps.fit(reference.convert("RGB"), (side, side))
    frame = Image.new("RGB", (side + 8, side + 8), (255, 255, 255))
    frame.paste(inset, (4, 4))
    return frame


class LocalProvider:
    name = "local"
    fetch_needs_references = True

    def _behaviour(self, job) -> tuple[str, float]:
        params = job.ai_model.default_parameters or {}
        return str(params.get("local_behaviour", "ok")), float(params.get("local_delay", 0) or 0)

    def _result(self, job, references: Sequence[bytes]) -> Result:
        behaviour, _ = self._behaviour(job)
        job_id = f"local-{job.pk}"
        if behaviour == "fail":
            return Result(FAILED, job_id, error="local provider told to fail", provider_status="failed")
        if behaviour == "cancel":
            return Result(CANCELED, job_id, provider_status="canceled")
        if behaviour == "hang":
            return Result(RUNNING, job_id, provider_status="processing")
        if behaviour == "empty":
            return Result(SUCCEEDED, job_id, outputs=[], provider_status="succeeded")
        started = time.monotonic()
        likeness = likeness_inset(references, dimensions(job.aspect_ratio, job.quality))
        outputs = [Output(data=render(job, index, likeness=likeness)) for index in range(job.num_outputs)]
        return Result(
            SUCCEEDED,
            job_id,
            outputs=outputs,
            predict_seconds=time.monotonic() - started,
            provider_status="succeeded",
        )

    def submit(self, job, *, webhook_url: str = "", references: Sequence[bytes] = ()) -> Result:
        _, delay = self._behaviour(job)
        if delay:
            time.sleep(delay)
        return self._result(job, references)

    def fetch(self, job, *, references: Sequence[bytes] = ()) -> Result:
        return self._result(job, references)

    def cancel(self, job) -> None:
        return None

    def train(self, run, *, archive_url: str = "", webhook_url: str = "") -> TrainingResult:
        params = run.base_model.default_parameters or {}
        if params.get("local_behaviour") == "fail":
            return TrainingResult(FAILED, f"local-train-{run.pk}", error="local provider told to fail")
        if params.get("local_behaviour") == "hang":
            return TrainingResult(RUNNING, f"local-train-{run.pk}")
        return TrainingResult(
            SUCCEEDED, f"local-train-{run.pk}", version=f"local-{run.pk}", weights=f"local://weights/{run.pk}"
        )

    def fetch_training(self, run) -> TrainingResult:
        return self.train(run)

    def cancel_training(self, run) -> None:
        return None

    def delete_version(self, *, model: str, version: str) -> bool:
        return True
