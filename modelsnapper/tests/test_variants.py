"""WebP variants: made once when a picture is stored, for every kind of picture; served for good."""

import io
from datetime import timedelta

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone
from PIL import Image as PILImage

from accounts.models import ModelProfile
from accounts.services import user_update_profile
from generation import running, training
from generation.marketplace.onboarding import model_references_set
from generation.models import AIAvatar, AIModel, Image, Job, TrainingPhoto
from generation.services import image_upload
from modelsnapper.images import validate_image_upload
from modelsnapper.picture_sources import picture_for, reference_key
from modelsnapper.testing.media import image_upload as upload_of
from modelsnapper.testing.media import png_bytes, video_file
from modelsnapper.variants import VariantError, VariantSet, build_variants
from social import services as social
from social.media import validate_video_upload
from social.models import Group, Post, Story


def _decoded(name: str) -> PILImage.Image:
    with default_storage.open(name, "rb") as stored:
        picture = PILImage.open(io.BytesIO(stored.read()))
        picture.load()
    return picture


def _widths(data) -> list[int]:
    return [width for width, _ in VariantSet.from_data(data).files()]


def _assert_webp_variants(data, *, original: tuple[int, int]) -> None:
    """Every recorded variant exists, is WebP, has its width and the original's aspect."""
    variants = VariantSet.from_data(data)
    assert variants, "no variants were recorded"
    assert (variants.width, variants.height) == original
    for width, name in variants.files():
        picture = _decoded(name)
        assert picture.format == "WEBP"
        assert picture.width == width <= original[0]
        assert picture.height == round(original[1] * width / original[0])


# --- the Pillow work ---------------------------------------------------------------------------


def test_variants_are_webp_at_256_512_and_1024_keeping_the_aspect(db):
    built = build_variants(png_bytes(size=(2000, 1000)), original_name="pics/a.png", storage=default_storage)

    assert [w for w, _ in built.files()] == [256, 512, 1024]
    _assert_webp_variants(built.to_data(), original=(2000, 1000))


def test_a_small_picture_is_never_upscaled_and_gets_one_variant_at_its_own_width(db):
    mid = build_variants(png_bytes(size=(300, 200)), original_name="pics/mid.png", storage=default_storage)
    tiny = build_variants(png_bytes(size=(100, 80)), original_name="pics/tiny.png", storage=default_storage)

    assert [w for w, _ in mid.files()] == [256, 300]
    assert [w for w, _ in tiny.files()] == [100]
    _assert_webp_variants(tiny.to_data(), original=(100, 80))


def test_variant_names_follow_the_bytes_and_a_second_build_writes_nothing(db):
    red = png_bytes(size=(600, 400), colour=(200, 0, 0))
    blue = png_bytes(size=(600, 400), colour=(0, 0, 200))

    first = build_variants(red, original_name="pics/x.png", storage=default_storage)
    files_after_first = default_storage.listdir("pics/v")[1]
    again = build_variants(red, original_name="pics/x.png", storage=default_storage)
    other = build_variants(blue, original_name="pics/x.png", storage=default_storage)

    assert again == first
    assert len(files_after_first) == 3
    assert {n for _, n in other.files()}.isdisjoint(n for _, n in first.files())
    assert all(name.startswith("pics/v/") and f"-{w}.webp" in name for w, name in first.files())


def test_bytes_that_are_not_a_picture_raise_a_variant_error(db):
    with pytest.raises(VariantError):
        build_variants(b"\x89PNG\r\n\x1a\n broken", original_name="pics/bad.png", storage=default_storage)


# --- made at store time, for every kind -----------------------------------------------------------


def test_generation_outputs_get_variants_of_the_stored_file_when_stored(owner):
    model = AIModel.objects.create(name="Local", slug="local-bench", provider="local")
    job = Job.objects.create(
        user=owner, ai_model=model, prompt="a kite", seed=1, deadline_at=timezone.now() + timedelta(minutes=5)
    )

    [image] = running.outputs_store(job, [png_bytes(size=(1024, 1024))], Image.Type.GENERATED, trusted=True)

    stored = Image.objects.get(pk=image.pk)
    assert _widths(stored.variants) == [256, 512, 1024]
    _assert_webp_variants(stored.variants, original=(1024, 1024))
    # Beside the original, under the owner's private folder.
    assert all(
        name.startswith(f"private/{owner.pk}/images/v/")
        for _, name in VariantSet.from_data(stored.variants).files()
    )


def test_an_uploaded_image_gets_variants(owner):
    image = image_upload(user=owner, upload=validate_image_upload(upload_of(size=(800, 600))))

    _assert_webp_variants(Image.objects.get(pk=image.pk).variants, original=(800, 600))


def test_an_image_post_gets_variants_of_its_picture(owner):
    post = social.post_create(
        author=owner,
        category="image-post",
        caption="",
        media=ContentFile(png_bytes(size=(700, 500)), name="p.png"),
    )

    _assert_webp_variants(Post.objects.get(pk=post.pk).variants, original=(700, 500))


def test_a_video_post_gets_variants_of_its_poster_the_first_frame(owner):
    video = validate_video_upload(video_file(size=(320, 240)))
    post = social.post_create(
        author=owner,
        category="normal-video",
        caption="",
        media=video,
        thumbnail=video.thumbnail,
    )

    stored = Post.objects.get(pk=post.pk)
    _assert_webp_variants(stored.variants, original=(320, 240))
    assert picture_for(stored).original_url == stored.thumbnail_src


def test_an_image_story_gets_variants(owner):
    story = social.story_create(
        author=owner, kind="image", media=ContentFile(png_bytes(size=(400, 700)), name="s.png")
    )

    _assert_webp_variants(Story.objects.get(pk=story.pk).variants, original=(400, 700))


def test_a_new_avatar_and_cover_get_variants_and_the_replaced_ones_leave_storage(owner):
    user_update_profile(
        user=owner,
        data={},
        avatar=validate_image_upload(upload_of(size=(600, 600), color=(10, 200, 10))),
        cover_image=validate_image_upload(upload_of(size=(1500, 500))),
    )
    owner.refresh_from_db()
    _assert_webp_variants(owner.avatar_variants, original=(600, 600))
    _assert_webp_variants(owner.cover_variants, original=(1500, 500))
    old_avatar_variants = [name for _, name in VariantSet.from_data(owner.avatar_variants).files()]

    user_update_profile(
        user=owner, data={}, avatar=validate_image_upload(upload_of(size=(300, 300), color=(200, 10, 10)))
    )

    owner.refresh_from_db()
    assert _widths(owner.avatar_variants) == [256, 300]
    assert not any(default_storage.exists(name) for name in old_avatar_variants)


def test_a_group_avatar_and_cover_get_variants(owner):
    group = social.group_create(
        creator=owner,
        name="Painters",
        avatar=ContentFile(png_bytes(size=(512, 512)), name="a.png"),
        cover_image=ContentFile(png_bytes(size=(1200, 400)), name="c.png"),
    )

    stored = Group.objects.get(pk=group.pk)
    _assert_webp_variants(stored.avatar_variants, original=(512, 512))
    _assert_webp_variants(stored.cover_variants, original=(1200, 400))


def test_training_photos_get_variants_and_deleting_one_removes_them(owner):
    personal = training.personal_model_create(user=owner, name="Studio")
    [photo] = training.training_photos_add(
        personal=personal, uploads=[validate_image_upload(upload_of(size=(640, 480)))]
    )
    stored = TrainingPhoto.objects.get(pk=photo.pk)
    _assert_webp_variants(stored.variants, original=(640, 480))

    training.training_photo_delete(photo=stored)

    assert not any(default_storage.exists(n) for _, n in VariantSet.from_data(stored.variants).files())


def test_likeness_references_get_variants(model):
    uploads = [
        upload_of(name=f"r{n}.png", fmt="PNG", size=(600, 800), color=(n * 60, 20, 20)) for n in range(3)
    ]

    model_references_set(user=model, uploads=uploads)

    profile = ModelProfile.objects.get(user=model)
    assert len(profile.reference_variants) == 3
    for name in profile.reference_images:
        _assert_webp_variants(profile.reference_variants[reference_key(name)], original=(600, 800))


def test_an_ai_avatar_saved_in_the_admin_gets_variants(client, staff):
    client.force_login(staff)
    response = client.post(
        reverse("admin:generation_aiavatar_add"),
        {"name": "Ava", "description": "", "is_active": "on", "reference_image": upload_of(size=(600, 900))},
    )

    assert response.status_code == 302, response.content
    _assert_webp_variants(AIAvatar.objects.get(name="Ava").variants, original=(600, 900))


# --- build_variants (existing pictures) --------------------------------------------------------------


def _image_without_variants(user, data: bytes, *, size=(600, 400)) -> Image:
    name = default_storage.save(f"private/{user.pk}/images/old.png", ContentFile(data))
    return Image.objects.create(
        user=user,
        image_type=Image.Type.UPLOADED,
        file=name,
        file_format="png",
        file_size=len(data),
        width=size[0],
        height=size[1],
    )


def _run(*args) -> tuple[str, str]:
    out, err = io.StringIO(), io.StringIO()
    call_command("build_variants", *args, stdout=out, stderr=err)
    return out.getvalue(), err.getvalue()


def test_build_variants_makes_the_missing_ones_batch_wise_and_a_second_run_changes_nothing(owner):
    images = [_image_without_variants(owner, png_bytes(size=(600, 400), colour=(n, 0, 0))) for n in range(3)]

    out, err = _run("--kind", "generation.image", "--batch", "2")

    assert err == ""
    assert "generation.image: 2 read, 2 made, 0 failed" in out
    assert "generation.image: 3 read, 3 made, 0 failed" in out
    for image in images:
        assert _widths(Image.objects.get(pk=image.pk).variants) == [256, 512, 600]
    files = default_storage.listdir(f"private/{owner.pk}/images/v")[1]

    again, _ = _run("--kind", "generation.image")

    assert "Done: made variants for 0 pictures; 3 already had them; 0 could not be read." in again
    assert default_storage.listdir(f"private/{owner.pk}/images/v")[1] == files


def test_build_variants_dry_run_counts_and_changes_nothing(owner):
    image = _image_without_variants(owner, png_bytes(size=(600, 400)))

    out, _ = _run("--dry-run", "--kind", "generation.image")

    assert "would make variants for 1 pictures" in out
    assert Image.objects.get(pk=image.pk).variants == {}
    assert default_storage.listdir(f"private/{owner.pk}/images/v") == ([], [])


def test_build_variants_reports_a_corrupt_or_missing_original_and_carries_on(owner):
    corrupt = _image_without_variants(owner, b"\x89PNG\r\n\x1a\n this is not a picture")
    missing = _image_without_variants(owner, png_bytes())
    default_storage.delete(missing.file.name)
    good = _image_without_variants(owner, png_bytes(size=(300, 300)))

    out, err = _run("--kind", "generation.image")

    assert f"generation.image {corrupt.pk}: The stored file is not a picture that can be read." in err
    assert f"generation.image {missing.pk}: the original file is missing." in err
    assert "1 made, 2 failed" in out
    assert _widths(Image.objects.get(pk=good.pk).variants) == [256, 300]
    assert Image.objects.get(pk=corrupt.pk).variants == {}


def test_build_variants_covers_people_posts_and_likeness_references(owner, model):
    owner.avatar.save("me.png", ContentFile(png_bytes(size=(400, 400))), save=True)
    model_references_set(user=model, uploads=[upload_of(name=f"r{n}.png", fmt="PNG") for n in range(3)])
    ModelProfile.objects.filter(user=model).update(reference_variants={})

    out, err = _run()

    assert err == ""
    owner.refresh_from_db()
    assert _widths(owner.avatar_variants) == [256, 400]
    assert owner.cover_variants == {}  # no cover, nothing made
    assert len(ModelProfile.objects.get(user=model).reference_variants) == 3
    assert "accounts.modelprofile: 1 read, 3 made, 0 failed" in out
