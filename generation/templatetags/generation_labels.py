"""``{% load generation_labels %}``: a generation's settings as readable rows (generation.labels)."""

from django import template

from generation import labels, prefill

register = template.Library()


@register.filter
def parameter_rows(parameters) -> list[tuple[str, str]]:
    """``{% for label, value in job.parameters|parameter_rows %}<dt>{{ label }}</dt><dd>{{ value }}</dd>``"""
    return labels.parameter_rows(parameters)


@register.filter
def category_label(value) -> str:
    return labels.category(value or "")


@register.filter
def processing_time(job) -> str:
    return labels.processing_time(job)


@register.filter
def kind_label(job) -> str:
    return labels.kind_label(job)


@register.filter
def made_with(job) -> list[str]:
    """``{{ job|made_with|join:" · " }}``"""
    return labels.made_with(job)


@register.simple_tag
def recipe_url(job, seed: bool = False, source=None) -> str:
    """``{% recipe_url job %}`` use prompt · ``{% recipe_url job seed=True %}`` same seed ·
    ``{% recipe_url job source=image %}`` remix from my image (generation.prefill)."""
    return prefill.recipe_url(job, seed=seed, source=source)


@register.filter
def times(count) -> range:
    """``{% for n in job.num_outputs|times %}``: one placeholder per image still being made."""
    try:
        return range(max(0, int(count)))
    except (TypeError, ValueError):
        return range(0)
