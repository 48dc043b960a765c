"""How a generation's settings read on a page: labels and values a person understands.

The one place that turns a job's parameters (``Job.parameters``, also copied into a post's
"How it was made") into rows of a definition list, so no page prints a Python dict, a
choice's stored value or a field name.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import timedelta
from typing import Any

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from accounts.models import ModelProfile
from generation.models import Job, Kind

# The order rows appear in, and each parameter's label.
LABELS = {
    "aspect_ratio": _("Aspect ratio"),
    "quality": _("Quality"),
    "num_outputs": _("Images"),
    "seed": _("Seed"),
    "steps": _("Steps"),
    "guidance": _("Guidance"),
    "style": _("Style"),
    "negative_prompt": _("Negative prompt"),
}
CHOICES = {
    "aspect_ratio": dict(Job.AspectRatio.choices),
    "quality": dict(Job.Quality.choices),
}


def _value(key: str, value: Any) -> str:
    if key in CHOICES:
        return str(CHOICES[key].get(value, value))
    if isinstance(value, bool):
        return gettext("Yes") if value else gettext("No")
    if isinstance(value, float):
        return f"{value:g}"
    if isinstance(value, Mapping):
        return ", ".join(f"{_label(k)} {_value(k, v)}" for k, v in value.items())
    if isinstance(value, list | tuple):
        return ", ".join(_value(key, item) for item in value)
    return str(value)


def _label(key: str) -> str:
    return str(LABELS.get(key) or "") or str(key).replace("_", " ").strip().capitalize()


def parameter_rows(parameters: Mapping | None) -> list[tuple[str, str]]:
    """``[(label, value)]`` for the parameters that were set, known ones first in a fixed order."""
    parameters = parameters or {}
    known = [key for key in LABELS if key in parameters]
    others = sorted(key for key in parameters if key not in LABELS)
    return [
        (_label(key), _value(key, parameters[key]))
        for key in (*known, *others)
        if parameters[key] not in (None, "", [], {})
    ]


def kind_label(job: Job) -> str:
    """What a job was made with, as a heading: its kind ("Text to image"), or for a job made with
    one of my personal models that model's own name (``Job.model_label``: "Studio portraits", or
    that it was deleted). Every personal model runs on one catalog entry and one kind, both
    called "My model", so only the name tells my models apart."""
    if job.kind == Kind.PERSONAL:
        return job.model_label
    return job.get_kind_display()


def made_with(job: Job) -> list[str]:
    """The parts of a history row's "made with" line: the catalog model and the kind
    (["Local fast", "Text to image"]); a personal-model job only by its model's name (its
    catalog entry would repeat "My model"). Load the page's personal models in one read first
    (``selectors.personal_models_attach``)."""
    if job.kind == Kind.PERSONAL:
        return [kind_label(job)]
    return [job.ai_model.name, kind_label(job)]


def category(value: str) -> str:
    """A catalog shoot's category by its name ("Casual"), never its stored value."""
    return str(dict(ModelProfile.Category.choices).get(value, value.replace("_", " ").capitalize()))


def duration(delta: timedelta | None) -> str:
    """ "4.2 s", "1 min 5 s", "1 h 2 min" — how long something took, for people."""
    if delta is None:
        return ""
    seconds = max(0.0, delta.total_seconds())
    if seconds < 60:
        return f"{seconds:.1f} s"
    minutes, secs = divmod(round(seconds), 60)
    if minutes < 60:
        return f"{minutes} min {secs} s" if secs else f"{minutes} min"
    hours, minutes = divmod(minutes, 60)
    return f"{hours} h {minutes} min" if minutes else f"{hours} h"


def processing_time(job: Job) -> str:
    """How long the job took from the moment a worker started it to delivery ("" while running)."""
    if job.completed_at is None:
        return ""
    return duration(job.completed_at - (job.started_at or job.submitted_at))
