"""Providers run a job somewhere and report back in one shape (:class:`Result`).

``get_provider(name)`` returns the provider for a catalog model: the model's own
``provider`` or, when empty, ``settings.GENERATION_PROVIDER``.
"""

from __future__ import annotations

from django.conf import settings

from generation.providers.base import Output, Provider, ProviderError, Result, TrainingResult


def provider_name_for(ai_model) -> str:
    return getattr(ai_model, "provider", "") or settings.GENERATION_PROVIDER


def get_provider(name: str) -> Provider:
    if name == "local":
        from generation.providers.local import LocalProvider

        return LocalProvider()
    if name == "replicate":
        from generation.providers.replicate import ReplicateProvider

        return ReplicateProvider()
    raise ProviderError(f"unknown provider {name!r}")


__all__ = [
    "Output",
    "Provider",
    "ProviderError",
    "Result",
    "TrainingResult",
    "get_provider",
    "provider_name_for",
]
