"""My personal models: the list, a new one, one model's page (photos, training it), renaming and
deleting one, and the photo archive the trainer fetches."""

from __future__ import annotations

from bson import ObjectId
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.exceptions import InsufficientCredits
from generation import training
from generation.forms import PersonalModelNameForm, PhotosForm, personal_value
from generation.models import AIModel, Kind, PersonalModel, TrainingPhoto, TrainingRun
from generation.prefill import create_url
from generation.views.create import buy_link_sentence


def _mine(request, model_id: str) -> PersonalModel:
    """One of my live personal models, or 404 (someone else's or a deleted one looks the same)."""
    personal = (
        PersonalModel.objects.live()
        .for_user(request.user)
        .filter(pk=ObjectId(model_id) if ObjectId.is_valid(model_id) else None)
        .first()
    )
    if personal is None:
        raise Http404(_("No such model."))
    personal.user = request.user
    return _with_link(personal)


def _with_link(personal: PersonalModel) -> PersonalModel:
    """The create page with this model picked."""
    personal.generate_url = create_url(model=personal_value(personal.pk))
    return personal


@login_required
@require_GET
def my_models(request):
    models = [_with_link(personal) for personal in PersonalModel.objects.live().for_user(request.user)]
    return render(
        request,
        "generation/my_models.html",
        {
            "personal_models": models,
            "limit": training.personal_models_max(),
            "room": training.personal_models_max() - len(models),
            "min_photos": training.MIN_PHOTOS,
            "cost": settings.GENERATION_TRAINING_COST,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_model_new(request):
    """Name a new model; its page then takes its photos and trains it."""
    form = PersonalModelNameForm(request.POST or None)
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                personal = training.personal_model_create(user=request.user, name=form.cleaned_data["name"])
                messages.success(request, _("“%(name)s” is ready for its photos.") % {"name": personal.name})
                return redirect("generation:my_model", personal.pk)
            except training.NameTaken as exc:
                form.add_error("name", str(exc))
            except training.TrainingError as exc:  # the limit
                form.add_error(None, str(exc))
        status = 400
    return render(
        request,
        "generation/my_model_new.html",
        {"form": form, "min_photos": training.MIN_PHOTOS, "max_photos": training.MAX_PHOTOS},
        status=status,
    )


@login_required
@require_GET
def my_model(request, model_id):
    personal = _mine(request, model_id)
    return render(
        request,
        "generation/my_model.html",
        {
            "personal": personal,
            "photos": list(TrainingPhoto.objects.filter(personal_model_id=personal.pk)),
            "runs": list(TrainingRun.objects.filter(personal_model_id=personal.pk)[:10]),
            "bases": list(AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True)),
            "form": PhotosForm(),
            "min_photos": training.MIN_PHOTOS,
            "max_photos": training.MAX_PHOTOS,
            "cost": settings.GENERATION_TRAINING_COST,
        },
    )


@login_required
def my_model_legacy(request):
    """The old one-model page's address: the list now."""
    return redirect("generation:my_models")


@login_required
@require_POST
def my_model_photos(request, model_id):
    personal = _mine(request, model_id)
    form = PhotosForm(request.POST, request.FILES, room=training.photo_room(personal))
    if form.is_valid():
        try:
            photos = training.training_photos_add(personal=personal, uploads=form.cleaned_data["photos"])
            messages.success(
                request,
                ngettext("Added %(count)d photo.", "Added %(count)d photos.", len(photos))
                % {"count": len(photos)},
            )
        except training.TrainingError as exc:
            messages.error(request, str(exc))
    else:
        for error in form.errors.get("photos", []):
            messages.error(request, error)
    return redirect("generation:my_model", personal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def my_model_photo_delete(request, photo_id):
    """GET says what deleting the photo leaves; POST deletes it."""
    photo = TrainingPhoto.objects.filter(
        pk=ObjectId(photo_id) if ObjectId.is_valid(photo_id) else None, user_id=request.user.pk
    ).first()
    if photo is None:
        raise Http404(_("No such photo."))
    if request.method == "GET":
        left = TrainingPhoto.objects.filter(personal_model_id=photo.personal_model_id).count() - 1
        return render(
            request,
            "generation/training_photo_delete_confirm.html",
            {"photo": photo, "left": left, "min_photos": training.MIN_PHOTOS},
        )
    training.training_photo_delete(photo=photo)
    messages.success(request, _("Photo deleted."))
    return redirect("generation:my_model", photo.personal_model_id)


@login_required
@require_POST
def my_model_train(request, model_id):
    personal = _mine(request, model_id)
    base = AIModel.objects.filter(slug=request.POST.get("base", ""), kind=Kind.TRAINING_BASE).first()
    if base is None:
        base = AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True).first()
    try:
        if base is None:
            raise training.TrainingError(_("No training base is available right now."))
        training.training_start(user=request.user, personal=personal, base_model=base)
        messages.success(request, _("Training started. This page shows its progress."))
    except InsufficientCredits as exc:
        messages.error(request, buy_link_sentence(exc))
    except training.TrainingError as exc:
        messages.error(request, str(exc))
    return redirect("generation:my_model", personal.pk)


@login_required
@require_http_methods(["GET", "POST"])
def my_model_rename(request, model_id):
    personal = _mine(request, model_id)
    form = PersonalModelNameForm(request.POST or None, initial={"name": personal.name})
    status = 200
    if request.method == "POST":
        if form.is_valid():
            try:
                training.personal_model_rename(personal=personal, name=form.cleaned_data["name"])
                messages.success(request, _("Renamed to “%(name)s”.") % {"name": personal.name})
                return redirect("generation:my_model", personal.pk)
            except training.TrainingError as exc:
                form.add_error("name", str(exc))
        status = 400
    return render(
        request, "generation/my_model_rename.html", {"form": form, "personal": personal}, status=status
    )


@login_required
@require_http_methods(["GET", "POST"])
def my_model_delete(request, model_id):
    """GET says what is lost; POST deletes the model's photos, its trained version and the model."""
    personal = _mine(request, model_id)
    if request.method == "GET":
        return render(
            request,
            "generation/my_model_delete_confirm.html",
            {
                "personal": personal,
                "loss": training.personal_model_loss(personal=personal),
                "cost": settings.GENERATION_TRAINING_COST,
                "min_photos": training.MIN_PHOTOS,
            },
        )
    try:
        messages.success(request, training.personal_model_delete(personal=personal))
    except training.TrainingError as exc:
        messages.error(request, str(exc))
        return redirect("generation:my_model", personal.pk)
    return redirect("generation:my_models")


@require_GET
def training_archive(request, token):
    """The photo archive, for the provider's trainer only: a signed, 2-hour link."""
    try:
        name = signing.loads(token, salt=training.ARCHIVE_SALT, max_age=2 * 60 * 60)
    except signing.BadSignature:
        raise Http404("No such file.") from None
    try:
        return FileResponse(default_storage.open(name), as_attachment=True, filename="photos.zip")
    except FileNotFoundError:
        raise Http404("No such file.") from None
