"""The personal model: its page, training photos, training it, deleting it, and the photo archive the trainer fetches."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core import signing
from django.core.files.storage import default_storage
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from billing.exceptions import InsufficientCredits
from generation import training
from generation.forms import PhotosForm
from generation.models import (
    AIModel,
    Kind,
    TrainingPhoto,
    TrainingRun,
)
from generation.views.create import buy_link_sentence


@login_required
@require_GET
def my_model(request):
    personal = training.personal_model_for(request.user)
    return render(
        request,
        "generation/my_model.html",
        {
            "personal": personal,
            "photos": list(TrainingPhoto.objects.filter(user_id=request.user.pk)),
            "runs": list(TrainingRun.objects.filter(user_id=request.user.pk)[:10]),
            "bases": list(AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True)),
            "form": PhotosForm(),
            "min_photos": training.MIN_PHOTOS,
            "max_photos": training.MAX_PHOTOS,
            "cost": settings.GENERATION_TRAINING_COST,
        },
    )


@login_required
@require_POST
def my_model_photos(request):
    form = PhotosForm(request.POST, request.FILES, room=training.photo_room(request.user))
    if form.is_valid():
        try:
            photos = training.training_photos_add(user=request.user, uploads=form.cleaned_data["photos"])
            messages.success(request, f"Added {len(photos)} photo{'s' if len(photos) != 1 else ''}.")
        except training.TrainingError as exc:
            messages.error(request, str(exc))
    else:
        for error in form.errors.get("photos", []):
            messages.error(request, error)
    return redirect("generation:my_model")


@login_required
@require_http_methods(["GET", "POST"])
def my_model_photo_delete(request, photo_id):
    """GET says what deleting the photo leaves; POST deletes it."""
    from bson import ObjectId

    photo = TrainingPhoto.objects.filter(
        pk=ObjectId(photo_id) if ObjectId.is_valid(photo_id) else None, user_id=request.user.pk
    ).first()
    if photo is None:
        raise Http404("No such photo.")
    if request.method == "GET":
        left = TrainingPhoto.objects.filter(user_id=request.user.pk).count() - 1
        return render(
            request,
            "generation/training_photo_delete_confirm.html",
            {"photo": photo, "left": left, "min_photos": training.MIN_PHOTOS},
        )
    training.training_photo_delete(photo=photo)
    messages.success(request, "Photo deleted.")
    return redirect("generation:my_model")


@login_required
@require_POST
def my_model_train(request):
    base = AIModel.objects.filter(slug=request.POST.get("base", ""), kind=Kind.TRAINING_BASE).first()
    if base is None:
        base = AIModel.objects.filter(kind=Kind.TRAINING_BASE, is_active=True).first()
    try:
        if base is None:
            raise training.TrainingError("No training base is available right now.")
        training.training_start(user=request.user, base_model=base)
        messages.success(request, "Training started. This page shows its progress.")
    except InsufficientCredits as exc:
        messages.error(request, buy_link_sentence(exc))
    except training.TrainingError as exc:
        messages.error(request, str(exc))
    return redirect("generation:my_model")


@login_required
@require_http_methods(["GET", "POST"])
def my_model_delete(request):
    """GET says what is lost; POST deletes the photos, the trained version and the model."""
    if request.method == "GET":
        return render(
            request,
            "generation/my_model_delete_confirm.html",
            {
                "loss": training.personal_model_loss(user=request.user),
                "cost": settings.GENERATION_TRAINING_COST,
                "min_photos": training.MIN_PHOTOS,
            },
        )
    messages.success(request, training.personal_model_delete(user=request.user))
    return redirect("generation:my_model")


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
