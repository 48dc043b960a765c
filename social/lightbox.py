"""What the lightbox shows for a picture: a post's or one of my generated images.

The grids (explore, feeds, profile, saved; the generation history) open a picture large with
how it was made and one-click actions. Who may open it is decided before this module is
called (``selectors.post_for_viewer``/``can_view_post`` for a post, ``image_visible_to`` for
an image); here the item is only described, in words a person reads: the model's name,
parameters as labelled rows (``generation.labels``), never a dict, a slug or an id.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from django.urls import reverse
from django.utils.translation import gettext as _

from generation.labels import parameter_rows
from generation.models import Image, Job
from generation.prefill import create_url, model_value
from modelsnapper.ids import parse_object_id
from social.models import Post

# Shown as its own line; the remaining parameters follow as rows.
_SEPARATE = ("seed",)


@dataclass(frozen=True)
class Action:
    label: str
    url: str
    download: bool = False
    danger: bool = False


@dataclass(frozen=True)
class Lightbox:
    picture: Any  # what ``{% picture %}`` renders: the Post or the Image
    title: str
    alt: str
    page_url: str  # the page this item is without JavaScript
    author: Any = None
    video_src: str = ""
    caption: str = ""
    prompt: str = ""
    model_name: str = ""
    seed: str = ""
    rows: list[tuple[str, str]] = field(default_factory=list)
    actions: list[Action] = field(default_factory=list)

    @property
    def is_video(self) -> bool:
        return bool(self.video_src)


def _recipe_actions(
    *, prompt: str, model: str, seed: str, source_image: str, remix_url: str = ""
) -> list[Action]:
    """ "Use prompt", "Remix" and "Same seed": the create page prefilled.

    "Remix" starts from my own image (``source_image``), or for someone else's public image
    (``remix_url``, ``prefill.remix_source``) copies its recipe and earns its creator coins.
    """
    if not prompt:
        return []
    actions = [Action(_("Use prompt"), create_url(prompt=prompt, model=model))]
    if source_image:
        actions.append(Action(_("Remix"), create_url(prompt=prompt, model=model, source=source_image)))
    elif remix_url:
        actions.append(Action(_("Remix"), remix_url))
    if seed:
        actions.append(Action(_("Same seed"), create_url(prompt=prompt, model=model, seed=seed)))
    return actions


def _may_remix(viewer, own: bool) -> bool:
    """Someone signed in remixing another person's picture (which they may see: the caller checked)."""
    return not own and getattr(viewer, "is_authenticated", False)


def _model_of_job(job_id: str) -> str:
    """The model picker's value for a published post's job (its page shows the name it had then)."""
    oid = parse_object_id(job_id)
    job = Job.objects.filter(pk=oid).first() if oid else None
    return model_value(job) if job is not None else ""


def alt_text(text: str, author) -> str:
    """An image link's accessible name: what the picture is of, else whose it is."""
    text = " ".join((text or "").split())
    if text:
        return text if len(text) <= 120 else f"{text[:119]}…"
    return _("Post by %(name)s") % {"name": author.display_name} if author is not None else _("Image")


def post_picture_label(post: Post) -> str:
    """A post's picture in words (its grid tile's link, the lightbox's ``alt``): title, caption, prompt."""
    prompt = post.ai_details.prompt if post.ai_details else ""
    return alt_text(post.title or post.caption or prompt, post.author)


def lightbox_for_post(viewer, post: Post) -> Lightbox:
    """A post the viewer may see (checked by the caller through ``post_for_viewer``)."""
    ai = post.ai_details
    prompt = ai.prompt if ai else ""
    seed = ai.seed if ai else ""
    own = getattr(viewer, "pk", None) == post.author_id
    model = _model_of_job(ai.generation_id) if ai and ai.generation_id and prompt else ""
    actions = _recipe_actions(
        prompt=prompt,
        model=model,
        seed=seed,
        # Only my own image can be the source of an image-to-image job; a post's copy is not one.
        source_image=post.source_image if own else "",
        remix_url=create_url(remix_post=post.pk) if _may_remix(viewer, own) and post.source_image else "",
    )
    if post.media:
        actions.append(Action(_("Download"), post.media_src, download=True))
    actions.append(Action(_("Open post"), post.get_absolute_url()))
    return Lightbox(
        picture=post,
        title=post.title or "",
        alt=post_picture_label(post),
        page_url=post.get_absolute_url(),
        author=post.author,
        video_src=post.media_src if post.is_video and post.media else "",
        caption=post.caption,
        prompt=prompt,
        model_name=ai.model if ai else "",
        seed=seed,
        rows=_rows(ai.parameters if ai else None),
        actions=actions,
    )


def lightbox_for_image(viewer, image: Image) -> Lightbox:
    """One of the viewer's images, or a public one (checked by the caller: ``image_visible_to``)."""
    job = image.job
    own = getattr(viewer, "pk", None) == image.user_id
    prompt = job.prompt if job else image.prompt
    seed = str(job.seed) if job else ""
    model, model_name = "", ""
    if job is not None:
        model = model_value(job)
        model_name = job.ai_model.name
    actions = _recipe_actions(
        prompt=prompt,
        model=model,
        seed=seed,
        source_image=str(image.pk) if own else "",
        remix_url=create_url(remix_image=image.pk) if _may_remix(viewer, own) and job else "",
    )
    actions.append(
        Action(
            _("Download"), f"{reverse('generation:image_file', args=[image.pk])}?download=1", download=True
        )
    )
    if own:
        published = Post.objects.filter(author_id=image.user_id, source_image=str(image.pk)).first()
        if published is not None:
            actions.append(Action(_("View post"), published.get_absolute_url()))
        else:
            actions.append(Action(_("Publish"), reverse("social:post_publish_generation", args=[image.pk])))
        actions.append(Action(_("Image page"), image.get_absolute_url()))
        # The confirmation page (generation.gallery): deleting is never one click.
        actions.append(Action(_("Delete"), reverse("generation:image_delete", args=[image.pk]), danger=True))
    return Lightbox(
        picture=image,
        title="",
        alt=alt_text(prompt, image.user if not own else viewer),
        # The image page is its owner's; anyone else's link to a public image is the lightbox page.
        page_url=image.get_absolute_url() if own else reverse("social:image_lightbox", args=[image.pk]),
        author=viewer if own else image.user,
        prompt=prompt,
        model_name=model_name,
        seed=seed,
        rows=_rows(job.parameters if job else None),
        actions=actions,
    )


def _rows(parameters) -> list[tuple[str, str]]:
    """The parameters as labelled rows, without the seed (the lightbox shows it on its own line)."""
    return parameter_rows({k: v for k, v in (parameters or {}).items() if k not in _SEPARATE})
