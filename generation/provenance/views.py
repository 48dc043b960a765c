"""Content Credentials pages: /verify/ for any file, and the summary of one of our images."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from generation import selectors
from generation.provenance import services
from generation.provenance.forms import PublishPromptForm, VerifyForm
from generation.provenance.reading import MIME_BY_EXTENSION, read_credentials
from generation.provenance.selectors import links_for, stored_credentials
from modelsnapper import ratelimit
from social.selectors import post_for_viewer

# The page is public and each check decodes an upload: a generous allowance per client address.
VERIFY_RATE_LIMIT = 30
VERIFY_RATE_WINDOW = 60 * 60


@require_http_methods(["GET", "POST"])
def verify(request):
    """Upload any image and see its Content Credentials. Nothing uploaded is stored."""
    credentials = links = None
    refusal = ""
    status = 200
    if request.method == "POST":
        form = VerifyForm(request.POST, request.FILES)
        if not ratelimit.hit(
            "verify", ratelimit.client_ip(request), limit=VERIFY_RATE_LIMIT, window=VERIFY_RATE_WINDOW
        ):
            form = VerifyForm()
            refusal = gettext("You have checked many images in a short time. Try again in an hour.")
            status = 429
        elif form.is_valid():
            data, fmt = form.cleaned_data["image"]
            credentials = read_credentials(data, fmt.content_type)
            links = links_for(request.user, credentials)
        else:
            codes = {error.code for error in form.errors.as_data().get("image", [])}
            status = 413 if codes & {"file_too_large", "too_many_pixels"} else 400
    else:
        form = VerifyForm()
    return render(
        request,
        "generation/verify.html",
        {"form": form, "credentials": credentials, "links": links, "refusal": refusal},
        status=status,
    )


@require_GET
def image_credentials(request, image_id):
    """The credentials summary of a stored image, for whoever may see the image."""
    image = selectors.image_visible_to(request.user, image_id)
    own = request.user.is_authenticated and image.user_id == request.user.pk
    return render(
        request,
        "generation/credentials.html",
        {
            "image": image,
            "own": own,
            "credentials": stored_credentials(image) if image.credentials_label else None,
            "prompt_form": PublishPromptForm(initial={"publish": image.publish_prompt_in_credentials}),
        },
    )


@login_required
@require_POST
def image_credentials_prompt(request, image_id):
    image = selectors.image_for_user(request.user, image_id)
    form = PublishPromptForm(request.POST)
    form.is_valid()  # one optional checkbox: always valid
    publish = form.cleaned_data.get("publish", False)
    try:
        services.image_prompt_publish(image=image, publish=publish)
        messages.success(
            request,
            gettext("The prompt is now part of this image's Content Credentials.")
            if publish
            else gettext("The prompt is no longer in this image's Content Credentials."),
        )
    except services.CredentialsError as exc:
        messages.error(request, str(exc))
    return redirect("generation:image_credentials", image.pk)


@require_GET
def post_credentials(request, post_id):
    """The credentials of a post made from a generated image, for whoever may see the post."""
    post = post_for_viewer(request.user, post_id)
    if not post.source_image or not post.media:
        raise Http404("This post was not made from a generated image.")
    with post.media.storage.open(post.media.name) as handle:
        data = handle.read()
    extension = post.media.name.rsplit(".", 1)[-1].lower()
    credentials = read_credentials(data, MIME_BY_EXTENSION.get(extension, "image/png"))
    return render(
        request,
        "generation/credentials.html",
        {"post": post, "credentials": credentials, "links": links_for(request.user, credentials)},
    )
