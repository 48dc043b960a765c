"""The lightbox: a picture opened large from a grid, with how it was made and what to do with it.

``static/js/lightbox.js`` fetches these as fragments (``HX-Request``) into the ``<dialog>`` of
``includes/lightbox.html``; opened directly (no JavaScript, a shared link) the same address is
a whole page. Privacy is the selectors': a post through ``post_for_viewer`` (``can_view_post``),
an image through ``image_visible_to`` (its owner, or anyone once public); otherwise 404.
"""

from __future__ import annotations

from django.shortcuts import render
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_GET

from generation.selectors import image_visible_to
from social import selectors
from social.lightbox import Lightbox, lightbox_for_image, lightbox_for_post
from social.views.common import _htmx, _record_view


def _respond(request, item: Lightbox):
    template = "includes/lightbox_panel.html" if _htmx(request) else "social/lightbox_page.html"
    response = render(request, template, {"item": item})
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_GET
def post_lightbox(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    # Opening a post's picture large is a view of the post, counted once like its page.
    _record_view(request, post)
    return _respond(request, lightbox_for_post(request.user, post))


@require_GET
def image_lightbox(request, image_id):
    image = image_visible_to(request.user, image_id)
    return _respond(request, lightbox_for_image(request.user, image))
