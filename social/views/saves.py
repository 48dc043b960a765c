"""Saved posts: move a save or edit its note; rename or delete a collection."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from social import selectors, services
from social.forms import CollectionRenameForm, SaveEditForm
from social.models import Save, SaveCollection
from social.services import SocialError


def _own_collection(request, collection_id) -> SaveCollection:
    return get_object_or_404(SaveCollection, pk=selectors.parse_object_id(collection_id), user=request.user)


@login_required
def save_edit(request, save_id):
    save = get_object_or_404(Save, pk=selectors.parse_object_id(save_id), user=request.user)
    collections = selectors.save_collections(request.user)
    current = next((c for c in collections if c.pk == save.collection_id), None)
    form = SaveEditForm(
        request.POST or None,
        initial={"collection": current.label if current else "", "notes": save.notes},
        collection_names=[c.label for c in collections],
    )
    if request.method == "POST" and form.is_valid():
        try:
            save = services.save_update(
                user=request.user,
                save=save,
                collection_name=form.cleaned_data["collection"],
                notes=form.cleaned_data["notes"],
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            target = SaveCollection.objects.filter(pk=save.collection_id).first()
            if target is None:  # deleted meanwhile; the "All" tab still shows the save
                return redirect("social:saved")
            messages.success(request, _("Saved in “%(name)s”.") % {"name": target.label})
            return redirect(target.get_absolute_url())
    return render(request, "social/save_form.html", {"form": form, "save": save})


@login_required
def collection_edit(request, collection_id):
    collection = _own_collection(request, collection_id)
    form = CollectionRenameForm(request.POST or None, initial={"name": collection.label})
    if request.method == "POST" and form.is_valid():
        try:
            services.collection_rename(
                user=request.user, collection=collection, name=form.cleaned_data["name"]
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Renamed to “%(name)s”.") % {"name": collection.name})
            return redirect(collection.get_absolute_url())
    return render(request, "social/collection_form.html", {"form": form, "collection": collection})


@login_required
def collection_delete(request, collection_id):
    """GET asks for confirmation (saying where the saves go); POST deletes."""
    collection = _own_collection(request, collection_id)
    if request.method == "POST":
        try:
            moved = services.collection_delete(user=request.user, collection=collection)
        except SocialError as exc:
            messages.error(request, exc.message)
            return redirect(collection.get_absolute_url())
        names = {
            "name": collection.label,
            "count": moved,
            "default": SaveCollection.label_for(SaveCollection.DEFAULT_NAME),
        }
        messages.success(
            request,
            ngettext(
                "Deleted “%(name)s”. Its %(count)s saved post moved to “%(default)s”.",
                "Deleted “%(name)s”. Its %(count)s saved posts moved to “%(default)s”.",
                moved,
            )
            % names
            if moved
            else _("Deleted “%(name)s”.") % names,
        )
        return redirect("social:saved")
    return render(
        request,
        "social/collection_delete.html",
        {"collection": collection, "default_name": SaveCollection.DEFAULT_NAME},
    )
