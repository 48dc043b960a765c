"""How a saved-posts collection is named on a page: ``{{ collection.name|collection_label }}``.

The default collection's stored name (``SaveCollection.DEFAULT_NAME``) is the key the services
find it by, so it stays as it is in the database; pages show it in the reader's language. Every
other name is the owner's own words and is shown as written.
"""

from __future__ import annotations

from django import template

from social.models import SaveCollection

register = template.Library()

DEFAULT_LABEL = SaveCollection.DEFAULT_LABEL


@register.filter
def collection_label(name: str) -> str:
    return SaveCollection.label_for(name)
