"""Gallery pages: history (list or grid), starred images, boards, delete with confirmation, bulk bar.

Every page works without JavaScript (forms that POST and redirect); HTMX only swaps
the star in place. Views load through an ownership check (a stranger's id is a 404),
validate a form, call one service and redirect.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import StreamingHttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext, ngettext
from django.utils.translation import gettext_lazy as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generation import selectors as generation_selectors
from generation.gallery import selectors, services
from generation.gallery.forms import BoardForm, BulkForm, FavouriteForm, HistoryFilterForm
from generation.gallery.zips import zip_stream


def _history_url() -> str:
    return reverse("generation:history")


def _back(request) -> str:
    """Where the form came from (``next``), if it is a path on this site; else history."""
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(target, allowed_hosts=None):
        return target
    return _history_url()


def _grid(request, page, **context) -> dict:
    """The context of a page that shows a grid of my images (history, starred, a board): its
    page of images and what the bulk bar offers (my boards to move them to, the actions)."""
    return {
        "page": page,
        "boards": selectors.boards_for(request.user),
        "bulk_actions": BulkForm.ACTIONS,
        **context,
    }


def _confirm_delete(request, *, images, what: str, action: str, cancel: str, licensed: bool, **context):
    """The page that asks before deleting ``images`` (one, a generation's, or a selection)."""
    return render(
        request,
        "generation/gallery/delete_confirm.html",
        {
            "images": images,
            "what": what,
            "action": action,
            "cancel": cancel,
            "grace_days": services.grace_period().days,
            "licensed": licensed,
            **context,
        },
    )


def _grace_sentence() -> str:
    days = services.grace_period().days
    return ngettext(
        "Its files are removed from storage after %(days)d day.",
        "Its files are removed from storage after %(days)d days.",
        days,
    ) % {"days": days}


@login_required
@require_GET
def history(request):
    # One read of the catalog gives the model filter its choices and names the page's jobs' models.
    models = generation_selectors.catalog()
    form = HistoryFilterForm(request.GET or None, models=models)
    filters = form.cleaned_data if form.is_valid() else {}
    page = generation_selectors.history(
        request.user,
        models=models,
        status=filters.get("status", ""),
        kind=filters.get("kind", ""),
        model=filters.get("model", ""),
        date_from=filters.get("date_from"),
        date_to=filters.get("date_to"),
        cursor=filters.get("cursor", ""),
    )
    query = request.GET.copy()
    query.pop("cursor", None)
    view = filters.get("view") or "list"
    view_links = []
    for name, label in (("list", _("List")), ("gallery", _("Gallery"))):
        other = request.GET.copy()
        other.pop("cursor", None)
        other["view"] = name
        view_links.append({"name": name, "label": label, "query": other.urlencode(), "current": name == view})
    filtered = any(filters.get(name) for name in ("status", "kind", "model", "date_from", "date_to"))
    return render(
        request,
        "generation/history.html",
        _grid(
            request,
            page,
            form=form,
            query=query.urlencode(),
            view=view,
            view_links=view_links,
            filtered=filtered,
        ),
    )


@login_required
@require_GET
def favourites(request):
    page = selectors.images(request.user, favourites=True, cursor=request.GET.get("cursor", ""))
    return render(
        request,
        "generation/gallery/images.html",
        _grid(
            request,
            page,
            title=gettext("Starred images"),
            empty=gettext("Star an image in your history to find it here."),
        ),
    )


@login_required
@require_POST
def image_favourite(request, image_id):
    image = generation_selectors.image_for_user(request.user, image_id)
    form = FavouriteForm(request.POST)
    if form.is_valid():
        services.image_favourite_toggle(
            user=request.user, image=image, favourite=form.cleaned_data["favourite"]
        )
        image.is_favourite = form.cleaned_data["favourite"]
    if request.headers.get("HX-Request"):
        return render(request, "generation/gallery/includes/star.html", {"image": image})
    return redirect(_back(request))


@login_required
@require_http_methods(["GET", "POST"])
def image_delete(request, image_id):
    """Confirm, then delete one of my images (a page, so it works without JavaScript)."""
    image = generation_selectors.image_for_user(request.user, image_id)
    if request.method == "POST":
        services.image_delete(user=request.user, image=image)
        messages.success(request, gettext("Image deleted. %(grace)s") % {"grace": _grace_sentence()})
        return redirect(_history_url())
    return _confirm_delete(
        request,
        images=[image],
        what=gettext("this image"),
        action=reverse("generation:image_delete", args=[image.pk]),
        cancel=image.get_absolute_url(),
        licensed=selectors.any_licensed([image]),
    )


@login_required
@require_http_methods(["GET", "POST"])
def job_delete(request, job_id):
    """Confirm, then delete one of my finished generations and its images."""
    job = generation_selectors.job_for_user(request.user, job_id)
    if request.method == "POST":
        try:
            services.job_delete(user=request.user, job=job)
        except services.GalleryError as exc:
            messages.error(request, str(exc))
            return redirect(job)
        messages.success(request, gettext("Generation deleted. %(grace)s") % {"grace": _grace_sentence()})
        return redirect(_history_url())
    return _confirm_delete(
        request,
        images=list(job.images.shown().order_by("output_index")),
        what=gettext("this generation and its images"),
        action=reverse("generation:job_delete", args=[job.pk]),
        cancel=job.get_absolute_url(),
        licensed=job.model_type == job.ModelType.HUMAN_MODEL,
        job=job,
        running=job.is_active,
    )


@login_required
@require_POST
def bulk(request):
    """The bulk bar: delete (after a confirmation page), move to a board, public/private, zip."""
    form = BulkForm(request.POST, user=request.user)
    if not form.is_valid():
        for error in [
            *form.non_field_errors(),
            *form.errors.get("images", []),
            *form.errors.get("action", []),
        ]:
            messages.error(request, error)
        return redirect(_back(request))
    data = form.cleaned_data
    back = _back(request)
    ids, action = data["images"], data["action"]
    if action == BulkForm.DOWNLOAD:
        return _zip_response(request, ids, back)
    if action == BulkForm.DELETE and not data["confirm"]:
        images = selectors.images_for_download(request.user, ids)
        return _confirm_delete(
            request,
            images=images,
            what=ngettext("%(count)d image", "%(count)d images", len(images)) % {"count": len(images)},
            action=reverse("generation:bulk"),
            cancel=back,
            licensed=selectors.any_licensed(images),
            bulk_ids=ids,
            next=back,
        )
    if action == BulkForm.DELETE:
        result = services.images_bulk_delete(user=request.user, image_ids=ids)
        done = ngettext(
            "%(count)d image deleted. %(grace)s", "%(count)d images deleted. %(grace)s", result.changed
        ) % {
            "count": result.changed,
            "grace": _grace_sentence(),
        }
    elif action == BulkForm.MOVE:
        result = services.images_bulk_move(user=request.user, image_ids=ids, board=data["board"])
        count = {"count": result.changed}
        if data["board"]:
            done = ngettext(
                "%(count)d image moved to “%(board)s”.",
                "%(count)d images moved to “%(board)s”.",
                result.changed,
            ) % {**count, "board": data["board"].name}
        else:
            done = (
                ngettext(
                    "%(count)d image taken off its board.",
                    "%(count)d images taken off their boards.",
                    result.changed,
                )
                % count
            )
    else:
        public = action == BulkForm.PUBLIC
        result = services.images_bulk_set_public(user=request.user, image_ids=ids, public=public)
        if public:
            done = ngettext("%(count)d image made public.", "%(count)d images made public.", result.changed)
        else:
            done = ngettext("%(count)d image made private.", "%(count)d images made private.", result.changed)
        done %= {"count": result.changed}
    messages.success(request, done)
    if result.skipped:
        messages.warning(
            request,
            ngettext(
                "%(count)d selected image could not be changed: not yours or already deleted.",
                "%(count)d selected images could not be changed: not yours or already deleted.",
                result.skipped,
            )
            % {"count": result.skipped},
        )
    return redirect(back)


def _zip_response(request, ids, back):
    images = selectors.images_for_download(request.user, ids)
    if not images:
        messages.error(request, gettext("None of the selected images can be downloaded."))
        return redirect(back)
    response = StreamingHttpResponse(zip_stream(images), content_type="application/zip")
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    response["Content-Disposition"] = f'attachment; filename="modelsnapper-images-{stamp}.zip"'
    response["Cache-Control"] = "private, no-store"
    return response


# --- boards --------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def boards(request):
    form = BoardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            board = services.board_create(user=request.user, name=form.cleaned_data["name"])
        except services.GalleryError as exc:
            form.add_error("name", str(exc))
        else:
            messages.success(request, gettext("Board “%(name)s” created.") % {"name": board.name})
            return redirect(board)
    return render(
        request,
        "generation/gallery/boards.html",
        {"form": form, "boards": selectors.boards_for(request.user)},
        status=400 if form.errors else 200,
    )


@login_required
@require_GET
def board_detail(request, board_id):
    board = selectors.board_for_user(request.user, board_id)
    page = selectors.images(request.user, board=board, cursor=request.GET.get("cursor", ""))
    return render(
        request,
        "generation/gallery/images.html",
        _grid(
            request,
            page,
            title=board.name,
            board=board,
            rename_form=BoardForm(initial={"name": board.name}),
            empty=gettext(
                "Nothing filed here yet. Select images in your history and move them to this board."
            ),
        ),
    )


@login_required
@require_POST
def board_rename(request, board_id):
    board = selectors.board_for_user(request.user, board_id)
    form = BoardForm(request.POST)
    if not form.is_valid():
        messages.error(request, gettext("Give the board a name."))
        return redirect(board)
    try:
        services.board_rename(user=request.user, board=board, name=form.cleaned_data["name"])
        messages.success(request, gettext("Board renamed."))
    except services.GalleryError as exc:
        messages.error(request, str(exc))
    return redirect(board)


@login_required
@require_http_methods(["GET", "POST"])
def board_delete(request, board_id):
    board = selectors.board_for_user(request.user, board_id)
    if request.method == "POST":
        services.board_delete(user=request.user, board=board)
        messages.success(
            request,
            gettext("Board “%(name)s” deleted. Its images are still in your history.") % {"name": board.name},
        )
        return redirect("generation:boards")
    return render(request, "generation/gallery/board_delete_confirm.html", {"board": board})
