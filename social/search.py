"""Search: one module for the tokens, the index and the per-kind queries (issue 14, item 1).

Why a token array and not ``$text``: SecantusDB (dev and tests) has no text index, and a
``$text`` query also cannot do prefixes ("phot" finding "photography"). Every searchable
document carries ``search_terms``: its words lower-cased and accent-folded, plus each word's
prefixes from ``MIN_PREFIX`` to ``MAX_PREFIX`` characters. A multikey index on
``(search_terms, -_id)`` answers ``{search_terms: {$all: [...]}}`` on a real mongod and on the
embedded server alike (``test_search.py`` proves the IXSCAN with ``explain``), and keeps the
newest-first keyset pages on the same index.

The terms are kept in step by ``search_terms_refresh`` (a ``pre_save`` hook for every
``save()``, whichever service or admin page writes) and by the services that write with
``update()`` (``post_update``); ``manage.py search_reindex`` backfills older documents.

Privacy is never re-derived here: posts go through the list form of ``can_view_post``
(``privacy.visible_posts``), people through ``User.is_visible`` and the viewer's blocks,
groups through the secret-group rule of ``group_for_viewer``.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from django.db.models import Model, QuerySet
from django.db.models.signals import pre_save
from django.utils.translation import gettext_lazy as _

from accounts.models import User
from generation.models import Image
from modelsnapper.queryshape import ShapedQuerySet
from social import queryshape
from social.models import Article, Group, GroupMembership, Post, Tag
from social.selectors.paging import PAGE_SIZE, Page, attach_authors, keyset
from social.selectors.privacy import blocked_user_ids, is_authed, visible_posts

MIN_PREFIX = 2
MAX_PREFIX = 12
MAX_WORD = 40
# A 2,500-character caption has a few hundred words; its terms stay bounded (the index entry
# per term is what a multikey index costs).
MAX_WORDS = 150
MAX_QUERY_WORDS = 5
QUERY_MAX_LENGTH = 200

_WORD = re.compile(r"[^\W_]+")


def normalise(text: str) -> str:
    """Lower-case and accent-fold: "Café ÉTÉ" → "cafe ete"."""
    decomposed = unicodedata.normalize("NFKD", text or "")
    return "".join(c for c in decomposed if not unicodedata.combining(c)).casefold()


def words(text: str) -> list[str]:
    return _WORD.findall(normalise(text))


def index_terms(*texts: str | Iterable[str]) -> list[str]:
    """The terms a document is found by: each word and its prefixes, sorted, without repeats."""
    seen: list[str] = []
    for text in texts:
        parts = text if isinstance(text, (list, tuple)) else [text]
        for part in parts:
            for word in words(part):
                if word not in seen:
                    seen.append(word)
    terms: set[str] = set()
    for word in seen[:MAX_WORDS]:
        word = word[:MAX_WORD]
        terms.add(word)
        terms.update(word[:n] for n in range(MIN_PREFIX, min(len(word), MAX_PREFIX) + 1))
    return sorted(terms)


def query_terms(query: str) -> list[str]:
    """What a query looks for: its words as prefixes (one-letter words dropped, long ones cut
    to the longest prefix stored)."""
    found: list[str] = []
    for word in words((query or "")[:QUERY_MAX_LENGTH]):
        if len(word) < MIN_PREFIX:
            continue
        term = word if len(word) <= MAX_PREFIX else word[:MAX_PREFIX]
        if term not in found:
            found.append(term)
    return found[:MAX_QUERY_WORDS]


# --- What each kind is found by ----------------------------------------------------------------


def _post_texts(post) -> list:
    return [post.title, post.caption, list(post.tags or [])]


def _person_texts(user) -> list:
    return [user.username, user.full_name, user.given_name, user.family_name]


def _group_texts(group) -> list:
    return [group.name, group.description, list(group.tags or [])]


def _tag_texts(tag) -> list:
    return [tag.name]


def _article_texts(article) -> list:
    return [article.title, article.summary]


def _image_texts(image) -> list:
    return [image.prompt]


# model label → (the fields the terms come from, how to read them)
_SOURCES: dict[str, tuple[frozenset[str], Callable[[Model], list]]] = {
    "social.Post": (frozenset({"title", "caption", "tags"}), _post_texts),
    "accounts.User": (frozenset({"username", "full_name", "given_name", "family_name"}), _person_texts),
    "social.Group": (frozenset({"name", "description", "tags"}), _group_texts),
    "social.Tag": (frozenset({"name"}), _tag_texts),
    "social.Article": (frozenset({"title", "summary"}), _article_texts),
    "generation.Image": (frozenset({"prompt"}), _image_texts),
}


def terms_for(instance: Model) -> list[str]:
    _fields, texts = _SOURCES[instance._meta.label]
    return index_terms(*texts(instance))


def source_fields(model: type[Model]) -> frozenset[str]:
    return _SOURCES[model._meta.label][0]


def search_terms_refresh(sender, instance, update_fields=None, **kwargs) -> None:
    """``pre_save``: recompute the terms whenever a save writes a field they come from."""
    if instance._meta.label not in _SOURCES or kwargs.get("raw"):
        return
    fields = source_fields(sender)
    if update_fields is not None and not (set(update_fields) & fields):
        return
    # A caller passing ``update_fields`` with a source field must name ``search_terms`` too.
    instance.search_terms = terms_for(instance)


def connect() -> None:
    """Called from ``SocialConfig.ready``."""
    from django.apps import apps

    for label in _SOURCES:
        pre_save.connect(
            search_terms_refresh, sender=apps.get_model(label), dispatch_uid=f"search_terms:{label}"
        )


# --- Queries ----------------------------------------------------------------------------------

KINDS = {
    "posts": _("Posts"),
    "people": _("People"),
    "groups": _("Groups"),
    "tags": _("Tags"),
    "articles": _("Articles"),
    "images": _("Images"),
}
DEFAULT_KIND = "posts"


def _index_term(terms: list[str]) -> str:
    """The term the index looks up: the longest, usually the rarest."""
    return max(terms, key=len)


def matching(queryset: QuerySet, terms: list[str]) -> QuerySet:
    """The candidates: documents holding the longest term (one index lookup per page).

    Each model's search index is ``(its equality filter fields…, search_terms, -_id)``, so the
    page's filter, the term and the keyset cursor are all answered by the index. The other
    terms are checked on the rows read (``has_all``).
    """
    return queryset.filter(search_terms__holds=_index_term(terms))


def has_all(row, terms: list[str]) -> bool:
    held = row.search_terms or ()
    return all(term in held for term in terms)


@dataclass
class SearchResult:
    kind: str
    query: str
    page: Page


def _candidates(kind: str, queryset: QuerySet, terms: list[str], cursor, size) -> tuple[list, str | None]:
    """A page of documents holding every term, and the cursor after the last one read.

    Newest first through a bounded recent stretch of the index term's documents
    (``social.queryshape.windowed``, cached per kind and term): SecantusDB sorts every match before the
    limit, so a common word read all its documents.
    """
    read = queryshape.windowed(f"search:{kind}:{_index_term(terms)}")
    rows, next_cursor = keyset(matching(queryset, terms), cursor, size=size, read=read)
    return [row for row in rows if has_all(row, terms)], next_cursor


def _posts(viewer, terms, cursor, size) -> Page:

    rows, next_cursor = _candidates("posts", Post.objects.filter(live=True), terms, cursor, size)
    return Page(visible_posts(viewer, attach_authors(rows)), next_cursor)


def _people(viewer, terms, cursor, size) -> Page:

    # Shaped: one filter document, which the embedded server answers from the index.
    rows, next_cursor = _candidates("people", ShapedQuerySet(User), terms, cursor, size)
    blocked = blocked_user_ids(viewer)
    return Page([u for u in rows if u.is_visible and u.pk not in blocked], next_cursor)


def _groups(viewer, terms, cursor, size) -> Page:

    rows, next_cursor = _candidates("groups", Group.objects.filter(is_active=True), terms, cursor, size)
    secret = [g.pk for g in rows if g.visibility == Group.Visibility.SECRET]
    member_of: set = set()
    if secret and is_authed(viewer):
        member_of = set(
            GroupMembership.objects.filter(
                user=viewer, group_id__in=secret, status=GroupMembership.Status.ACTIVE
            ).values_list("group_id", flat=True)
        )
    # A secret group is hidden from non-members (the rule of selectors.group_for_viewer).
    shown = [g for g in rows if g.visibility != Group.Visibility.SECRET or g.pk in member_of]
    return Page(shown, next_cursor)


def _tags(viewer, terms, cursor, size) -> Page:

    return Page(*_candidates("tags", Tag.objects.all(), terms, cursor, size))


def _articles(viewer, terms, cursor, size) -> Page:

    return Page(
        *_candidates("articles", Article.objects.filter(status=Article.Status.PUBLISHED), terms, cursor, size)
    )


def _images(viewer, terms, cursor, size) -> Page:

    rows, next_cursor = _candidates("images", Image.objects.filter(is_public=True), terms, cursor, size)
    blocked = blocked_user_ids(viewer)
    # A deleted account's images were made private with it (generation.user_images_make_private).
    shown = [i for i in rows if i.deleted_at is None and i.delivered and i.user_id not in blocked]
    return Page(shown, next_cursor)


_SEARCHES = {
    "posts": _posts,
    "people": _people,
    "groups": _groups,
    "tags": _tags,
    "articles": _articles,
    "images": _images,
}


def search(
    viewer, *, query: str, kind: str = DEFAULT_KIND, cursor: str | None = None, size: int = PAGE_SIZE
) -> SearchResult:
    """One page of ``kind`` matching ``query`` for ``viewer``, newest first.

    A page may hold fewer than ``size`` results when some were hidden from this viewer; its
    cursor still continues after the last document read, so nothing is skipped or repeated.
    """
    kind = kind if kind in KINDS else DEFAULT_KIND
    terms = query_terms(query)
    if not terms:
        return SearchResult(kind, query, Page([]))
    return SearchResult(kind, query, _SEARCHES[kind](viewer, terms, cursor, size))


# --- Backfill ---------------------------------------------------------------------------------


def searchable_models() -> list[type[Model]]:
    from django.apps import apps

    return [apps.get_model(label) for label in _SOURCES]


def reindex(model: type[Model], *, dry_run: bool = False, batch: int = 500) -> tuple[int, int]:
    """Recompute ``search_terms`` of every document of ``model``: (documents read, changed).

    Idempotent: a document whose terms are already right is not written.
    """
    fields = ["pk", "search_terms", *sorted(source_fields(model))]
    read = changed = 0
    last = None
    while True:
        qs = model._default_manager.all().only(*fields).order_by("pk")
        if last is not None:
            qs = qs.filter(pk__gt=last)
        rows = list(qs[:batch])
        if not rows:
            break
        for row in rows:
            read += 1
            terms = terms_for(row)
            if list(row.search_terms or []) != terms:
                changed += 1
                if not dry_run:
                    model._default_manager.filter(pk=row.pk).update(search_terms=terms)
        last = rows[-1].pk
    return read, changed
