"""The {% picture %} tag: one <img> with a srcset of the stored variants, and no query."""

import re

from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.template import Context, Template
from django.test.utils import CaptureQueriesContext

from generation.models import Image
from modelsnapper.picture_sources import picture_variants_build
from modelsnapper.testing.media import png_bytes
from social import services
from social.models import Post


def _render(source: str, **context) -> str:
    return Template("{% load pictures %}" + source).render(Context(context))


def _srcset_widths(html: str) -> list[int]:
    srcset = re.search(r'srcset="([^"]+)"', html).group(1)
    return [int(part.rsplit(" ", 1)[1][:-1]) for part in srcset.split(", ")]


def _stored_image(user, *, size=(1024, 768), public=False) -> Image:
    data = png_bytes(size=size)
    name = default_storage.save(f"private/{user.pk}/images/pic.png", ContentFile(data))
    return Image.objects.create(
        user=user,
        image_type=Image.Type.GENERATED,
        file=name,
        file_format="png",
        file_size=len(data),
        width=size[0],
        height=size[1],
        prompt="a red square",
        is_public=public,
    )


def _with_variants(image: Image) -> Image:
    picture_variants_build(obj=image)
    return Image.objects.get(pk=image.pk)


def test_a_picture_without_variants_shows_its_original_with_its_size(owner):
    image = _stored_image(owner)

    html = _render('{% picture image alt="A red square" %}', image=image)

    assert html == (
        f'<img src="/generation/images/{image.pk}/file/" width="1024" height="768" alt="A red square" '
        'decoding="async" loading="lazy">'
    )


def test_a_picture_with_variants_lists_every_width_in_its_srcset(owner):
    image = _with_variants(_stored_image(owner))

    html = _render(
        '{% picture image sizes="(max-width: 600px) 50vw, 256px" alt="x" class="tile" loading="eager" %}',
        image=image,
    )

    assert _srcset_widths(html) == [256, 512, 1024]
    srcset = re.search(r'srcset="([^"]+)"', html).group(1)
    assert all(f"/generation/images/{image.pk}/v/" in part and ".webp" in part for part in srcset.split(", "))
    src = re.search(r' src="([^"]+)"', html).group(1)
    assert src.endswith("-512.webp")
    assert 'sizes="(max-width: 600px) 50vw, 256px"' in html
    assert 'class="tile"' in html and 'loading="eager"' in html
    assert 'width="1024" height="768"' in html


def test_picture_url_gives_the_narrowest_variant_at_least_that_wide(owner):
    image = _with_variants(_stored_image(owner))

    assert _render("{% picture_url image width=300 %}", image=image).endswith("-512.webp")
    assert _render("{% picture_url image width=2000 %}", image=image).endswith("-1024.webp")
    assert _render("{% picture_url image width=100 %}", image=image).endswith("-256.webp")


def test_picture_url_is_the_original_before_variants_exist(owner):
    image = _stored_image(owner)

    assert _render("{% picture_url image width=512 %}", image=image) == f"/generation/images/{image.pk}/file/"


def test_alt_text_is_escaped(owner):
    image = _stored_image(owner)

    html = _render("{% picture image alt=text %}", image=image, text='"><script>')

    assert "<script>" not in html and "&quot;&gt;&lt;script&gt;" in html


def test_a_user_shows_their_avatar_or_their_cover_by_role(owner):
    owner.avatar.save("me.png", ContentFile(png_bytes(size=(300, 300))), save=True)
    owner.cover_image.save("cover.png", ContentFile(png_bytes(size=(1200, 400))), save=True)

    avatar = _render('{% picture person role="avatar" alt="me" %}', person=owner)
    cover = _render('{% picture person role="cover" alt="" %}', person=owner)

    assert f'src="{owner.avatar.url}"' in avatar
    assert f'src="{owner.cover_image.url}"' in cover


def test_an_object_without_a_picture_renders_nothing(owner):
    assert _render('{% picture person role="avatar" alt="me" %}', person=owner) == ""


def test_a_video_post_shows_its_poster(owner):
    post = services.post_create(
        author=owner,
        category=Post.Category.NORMAL_VIDEO,
        caption="clip",
        media=ContentFile(b"video bytes", name="clip.mp4"),
        thumbnail=ContentFile(png_bytes(size=(640, 360)), name="poster.png"),
    )

    html = _render('{% picture post alt="A clip" %}', post=post)

    # The poster's own variants (never wider than the 640 px first frame), through the post's view.
    assert _srcset_widths(html) == [256, 512, 640]
    assert f"/social/p/{post.pk}/v/" in html
    assert 'width="640" height="360"' in html


def test_rendering_twenty_posts_pictures_makes_no_query(owner):
    for n in range(20):
        media = ContentFile(png_bytes(size=(600, 600), colour=(n * 10, 20, 30)), name=f"p{n}.png")
        services.post_create(author=owner, category="image-post", caption=f"picture {n}", media=media)
    posts = list(Post.objects.filter(author=owner))  # their variants were made when they were stored
    template = Template(
        '{% load pictures %}{% for post in posts %}{% picture post sizes="256px" alt=post.caption %}{% endfor %}'
    )

    with CaptureQueriesContext(connection) as queries:
        html = template.render(Context({"posts": posts}))

    assert len(queries) == 0
    assert html.count("<img ") == 20
    assert html.count("srcset=") == 20


def test_a_display_size_given_to_the_tag_replaces_the_intrinsic_one(owner):
    image = _stored_image(owner, size=(1024, 768))

    fixed = _render('{% picture image width=80 height=80 alt="" %}', image=image)
    scaled = _render('{% picture image width=320 alt="" %}', image=image)

    assert 'width="80" height="80"' in fixed and "1024" not in fixed
    assert 'width="320" height="240"' in scaled
