"""Content Credentials (issue 16): every output is signed, anyone can verify it, uploads are not signed.

Real files throughout: the local provider draws the PNG, the Replicate stub delivers JPEGs,
and ``c2pa.Reader`` reads back what we stored and what a download returns.
"""

from __future__ import annotations

import io
import json
import threading

import c2pa
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from PIL import Image as PILImage

from generation import services
from generation.models import Image, Job, TrainingPhoto
from generation.provenance import keys
from generation.provenance.signing import COMPOSITE, LICENSE_LABEL, PROMPT_LABEL, TRAINED
from generation.providers.base import SUCCEEDED, Output, Result
from generation.training import personal_model_create
from modelsnapper.images import validate_image_upload
from modelsnapper.testing.factories import AIAvatarFactory, AIModelFactory
from modelsnapper.testing.media import png_bytes
from modelsnapper.testing.threads import closes_connections

MIME = {"png": "image/png", "jpg": "image/jpeg"}


def manifest_of(data: bytes, mime: str) -> tuple[dict, dict]:
    """(whole report, active manifest) as c2pa.Reader gives them."""
    with c2pa.Reader(mime, io.BytesIO(data)) as reader:
        report = json.loads(reader.json())
    return report, report["manifests"][report["active_manifest"]]


def stored(image: Image) -> bytes:
    with image.file.storage.open(image.file.name) as handle:
        return handle.read()


def actions(manifest: dict) -> list[dict]:
    return next(a for a in manifest["assertions"] if a["label"].startswith("c2pa.actions"))["data"]["actions"]


def assertion(manifest: dict, label: str) -> dict | None:
    return next((a["data"] for a in manifest["assertions"] if a["label"] == label), None)


def jpeg_bytes(size=(64, 48), colour=(20, 120, 200)) -> bytes:
    out = io.BytesIO()
    PILImage.new("RGB", size, colour).save(out, format="JPEG", quality=90)
    return out.getvalue()


@pytest.fixture
def hang_model(db):
    """A local model that stays processing until a result is applied by hand (a remote provider's shape)."""
    return AIModelFactory(
        slug="local-hang",
        name="Flux Dev",
        provider="local",
        provider_version="1.1",
        credit_cost=2,
        default_parameters={"local_behaviour": "hang"},
    )


def deliver(job: Job, replicate_stub, data: bytes, name: str) -> Image:
    """Complete ``job`` with a file fetched from the (stubbed) delivery host, as Replicate's outputs are."""
    url = replicate_stub.add_file(name, data)
    assert services.apply_result(job, Result(SUCCEEDED, "p1", outputs=[Output(url=url)])) == "completed"
    return Image.objects.get(job_id=job.pk)


def verify(client, data: bytes, name: str):
    return client.post("/verify/", {"image": SimpleUploadedFile(name, data)})


# --- signing ------------------------------------------------------------------------


def test_a_generated_png_and_its_download_read_back_valid_as_ai_generated_by_the_named_model(
    client, funded, local_model
):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse at dusk")
    image = Image.objects.get(job_id=job.pk)

    report, manifest = manifest_of(stored(image), "image/png")
    assert report["validation_state"] == "Valid"
    first = actions(manifest)[0]
    assert first["action"] == "c2pa.created" and first["digitalSourceType"] == TRAINED
    assert first["softwareAgent"]["name"] == "Local fast"
    assert image.credentials_label == report["active_manifest"] and len(image.credentials_sha256) == 64
    assert image.file_size == len(stored(image))
    # The prompt stays out unless the owner publishes it.
    assert assertion(manifest, PROMPT_LABEL) is None and "lighthouse" not in json.dumps(manifest)

    client.force_login(funded)
    download = client.get(f"/generation/images/{image.pk}/file/?download=1")
    downloaded = b"".join(download.streaming_content)
    assert manifest_of(downloaded, "image/png")[0]["validation_state"] == "Valid"


def test_a_jpeg_from_the_provider_is_signed_after_our_checks_and_reads_back_valid(
    funded, hang_model, replicate_stub
):
    job = services.job_submit(user=funded, ai_model=hang_model, prompt="a red kite")
    image = deliver(job, replicate_stub, jpeg_bytes(), "out.jpg")

    assert image.file_format == "jpg"
    report, manifest = manifest_of(stored(image), "image/jpeg")
    assert report["validation_state"] == "Valid"
    first = actions(manifest)[0]
    assert first["action"] == "c2pa.created" and first["digitalSourceType"] == TRAINED
    assert first["softwareAgent"] == {"name": "Flux Dev", "version": "1.1"}
    assert not manifest.get("ingredients")  # the provider's file carried no credentials


def test_an_edit_carries_its_source_and_the_sources_own_credentials_as_parent_ingredient(
    funded, local_model, edit_model
):
    made = services.job_submit(user=funded, ai_model=local_model, prompt="a boat")
    source = Image.objects.get(job_id=made.pk)
    edit = services.job_submit(user=funded, ai_model=edit_model, prompt="make it night", source_image=source)
    edited = Image.objects.get(job_id=edit.pk)

    report, manifest = manifest_of(stored(edited), "image/png")
    assert report["validation_state"] == "Valid"
    assert [a["action"] for a in actions(manifest)] == ["c2pa.opened", "c2pa.edited"]
    assert actions(manifest)[1]["digitalSourceType"] == COMPOSITE
    (parent,) = manifest["ingredients"]
    assert parent["relationship"] == "parentOf"
    # The source's own manifest travels nested inside the edit.
    assert parent["active_manifest"] == source.credentials_label
    assert source.credentials_label in report["manifests"]


def test_an_edit_of_an_uploaded_photo_has_the_upload_as_ingredient_without_credentials(funded, edit_model):
    upload = services.image_upload(
        user=funded,
        upload=validate_image_upload(SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")),
    )
    edit = services.job_submit(user=funded, ai_model=edit_model, prompt="add a hat", source_image=upload)
    _, manifest = manifest_of(stored(Image.objects.get(job_id=edit.pk)), "image/png")
    (parent,) = manifest["ingredients"]
    assert parent["relationship"] == "parentOf" and "active_manifest" not in parent


def test_a_human_model_image_carries_the_license_assertion_and_no_private_field(
    approved, market_business, signed_model, local_model, settings
):
    job = services.job_submit(
        user=market_business,
        ai_model=local_model,
        prompt="Linen shirt on a beach",
        human_model=signed_model,
        category="casual",
    )
    image = Image.objects.get(job_id=job.pk)
    report, manifest = manifest_of(stored(image), "image/png")

    assert report["validation_state"] == "Valid"
    license_data = assertion(manifest, LICENSE_LABEL)
    assert license_data == {
        "subject": "human model",
        "license_url": f"{settings.SITE_URL}/generation/marketplace/licenses/{job.pk}/",
        "release_version": job.release_version,
        "consent_request_id": str(approved.pk),
        "model_name": signed_model.model_profile.display_name,
    }
    everything = json.dumps(report)
    for private in (signed_model.email, market_business.email, signed_model.username, "203.0.113.9"):
        assert private not in everything


def test_provider_credentials_survive_our_re_encoding_as_an_ingredient(
    funded, hang_model, replicate_stub, tmp_path
):
    # A file signed elsewhere, as OpenAI's and Google's image models deliver theirs.
    other = keys.development_keys(tmp_path)
    signer = c2pa.Signer.from_info(
        c2pa.C2paSignerInfo(alg=b"es256", sign_cert=other.chain_pem, private_key=other.key_pem, ta_url=None)
    )
    theirs = {
        "claim_generator_info": [{"name": "Provider", "version": "9"}],
        "assertions": [
            {
                "label": "c2pa.actions",
                "data": {"actions": [{"action": "c2pa.created", "digitalSourceType": TRAINED}]},
            }
        ],
    }
    signed = io.BytesIO()
    with signer, c2pa.Builder(json.dumps(theirs)) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(jpeg_bytes()), signed)
    provider_label = json.loads(c2pa.Reader("image/jpeg", io.BytesIO(signed.getvalue())).json())[
        "active_manifest"
    ]

    job = services.job_submit(user=funded, ai_model=hang_model, prompt="x")
    image = deliver(job, replicate_stub, signed.getvalue(), "signed.jpg")

    report, manifest = manifest_of(stored(image), "image/jpeg")
    assert report["validation_state"] == "Valid"
    (ingredient,) = manifest["ingredients"]
    assert ingredient["relationship"] == "componentOf" and ingredient["active_manifest"] == provider_label


def test_uploads_training_photos_and_avatars_are_not_signed(client, funded):
    upload = services.image_upload(
        user=funded,
        upload=validate_image_upload(SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")),
    )
    assert upload.credentials_label == ""
    with pytest.raises(c2pa.C2paError.ManifestNotFound):
        manifest_of(stored(upload), "image/png")

    client.force_login(funded)
    response = client.post(
        reverse("generation:my_model_photos", args=[personal_model_create(user=funded, name="Me").pk]),
        {
            "photos": [
                SimpleUploadedFile(f"p{i}.png", png_bytes(), content_type="image/png") for i in range(2)
            ]
        },
    )
    assert response.status_code == 302
    photos = list(TrainingPhoto.objects.filter(user_id=funded.pk))
    assert len(photos) == 2
    for photo in photos:
        with (
            photo.file.storage.open(photo.file.name) as handle,
            pytest.raises(c2pa.C2paError.ManifestNotFound),
        ):
            manifest_of(handle.read(), "image/png")


def test_with_signing_off_outputs_are_stored_unsigned(funded, local_model, settings):
    settings.C2PA_ENABLED = False
    job = services.job_submit(user=funded, ai_model=local_model, prompt="plain")
    image = Image.objects.get(job_id=job.pk)
    assert image.credentials_label == "" and image.credentials_sha256 == ""
    with pytest.raises(c2pa.C2paError.ManifestNotFound):
        manifest_of(stored(image), "image/png")


# --- keys ---------------------------------------------------------------------------


def test_two_processes_making_the_development_signer_at_once_share_one_ca(tmp_path):
    results: list[bytes] = []
    start = threading.Barrier(4)

    @closes_connections
    def make():
        start.wait()
        results.append(keys.development_keys(tmp_path).chain_pem)

    threads = [threading.Thread(target=make) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert len(results) == 4 and len(set(results)) == 1
    assert [p.name for p in tmp_path.iterdir()] == [keys.DEVELOPMENT_FILE]


# --- /verify/ -----------------------------------------------------------------------


def test_verify_shows_our_image_as_valid_ai_generated_with_a_link_for_its_owner_only(
    client, funded, stranger, local_model
):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse")
    image = Image.objects.get(job_id=job.pk)
    data = stored(image)

    response = verify(client, data, "mine.png")  # anonymous
    page = response.content.decode()
    assert response.status_code == 200
    assert "Content Credentials: valid." in page and "signed by a development certificate" in page
    assert "Created — AI-generated (Local fast)" in page
    assert f"/generation/images/{image.pk}/" not in page  # private image, anonymous viewer

    client.force_login(stranger)
    assert f"/generation/images/{image.pk}/" not in verify(client, data, "mine.png").content.decode()
    client.force_login(funded)
    assert f"/generation/images/{image.pk}/" in verify(client, data, "mine.png").content.decode()
    assert not Image.objects.exclude(pk=image.pk).exists()  # nothing uploaded was stored


def test_verify_says_a_file_with_one_byte_changed_is_tampered(client, funded, hang_model, replicate_stub):
    job = services.job_submit(user=funded, ai_model=hang_model, prompt="x")
    data = bytearray(stored(deliver(job, replicate_stub, jpeg_bytes(), "out.jpg")))
    data[-20] ^= 0x01  # a byte of the picture itself (the scan data just before the end marker)

    response = verify(client, bytes(data), "changed.jpg")
    assert response.status_code == 200
    assert "Content Credentials: tampered." in response.content.decode()


def test_verify_says_an_image_without_credentials_has_none(client, db):
    response = verify(client, png_bytes(), "plain.png")
    assert response.status_code == 200
    assert "No Content Credentials." in response.content.decode()


def test_verify_refuses_a_file_that_is_not_an_image_with_a_sentence(client, db):
    response = verify(client, b"%PDF-1.7 this is not a picture", "doc.png")
    assert response.status_code == 400
    assert "This is not an image we can read." in response.content.decode()


def test_verify_refuses_a_file_over_the_upload_limit(client, db, settings):
    settings.MAX_UPLOAD_BYTES = 1000
    response = verify(client, jpeg_bytes(size=(400, 400)) + b"\0" * 2000, "big.jpg")
    assert response.status_code == 413
    assert "the limit is" in response.content.decode()


# --- badge, summary, prompt ------------------------------------------------------------


def test_image_page_shows_the_badge_and_the_summary_shows_the_manifest(client, funded, local_model):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse")
    image = Image.objects.get(job_id=job.pk)
    client.force_login(funded)

    page = client.get(image.get_absolute_url()).content.decode()
    assert f"/generation/images/{image.pk}/credentials/" in page and "Content Credentials" in page
    summary = client.get(f"/generation/images/{image.pk}/credentials/").content.decode()
    assert "Content Credentials: valid." in summary and image.credentials_sha256 in summary


def test_strangers_cannot_read_the_credentials_page_of_a_private_image(client, funded, stranger, local_model):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse")
    image = Image.objects.get(job_id=job.pk)
    client.force_login(stranger)
    assert client.get(f"/generation/images/{image.pk}/credentials/").status_code == 404


def test_the_owner_publishes_the_prompt_into_the_credentials_and_takes_it_out_again(
    client, funded, local_model
):
    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse at dusk")
    image = Image.objects.get(job_id=job.pk)
    client.force_login(funded)

    client.post(f"/generation/images/{image.pk}/credentials/prompt/", {"publish": "on"})
    image.refresh_from_db()
    report, manifest = manifest_of(stored(image), "image/png")
    assert report["validation_state"] == "Valid" and image.publish_prompt_in_credentials
    assert assertion(manifest, PROMPT_LABEL) == {"prompt": "a lighthouse at dusk"}
    assert image.credentials_label == report["active_manifest"]

    client.post(f"/generation/images/{image.pk}/credentials/prompt/", {})
    image.refresh_from_db()
    _, manifest = manifest_of(stored(image), "image/png")
    assert assertion(manifest, PROMPT_LABEL) is None and not image.publish_prompt_in_credentials
    assert actions(manifest)[0]["digitalSourceType"] == TRAINED


def test_a_post_made_from_a_generated_image_links_to_its_credentials(client, funded, local_model):
    from social.services import post_publish_generation

    job = services.job_submit(user=funded, ai_model=local_model, prompt="a lighthouse")
    post, _ = post_publish_generation(author=funded, image=Image.objects.get(job_id=job.pk))
    client.force_login(funded)
    page = client.get(post.get_absolute_url()).content.decode()
    assert f"/generation/posts/{post.pk}/credentials/" in page
    summary = client.get(f"/generation/posts/{post.pk}/credentials/").content.decode()
    assert "Content Credentials: valid." in summary


def test_the_license_record_shows_the_manifest_hash(
    approved, client, market_business, signed_model, local_model
):
    job = services.job_submit(
        user=market_business, ai_model=local_model, prompt="x", human_model=signed_model, category="casual"
    )
    image = Image.objects.get(job_id=job.pk)
    client.force_login(market_business)
    page = client.get(f"/generation/marketplace/licenses/{job.pk}/").content.decode()
    assert image.credentials_sha256 and image.credentials_sha256 in page


def test_an_edit_whose_source_file_is_gone_is_still_signed_and_delivered(funded):
    from generation.models import Kind

    model = AIModelFactory(
        slug="edit-hang",
        kind=Kind.IMAGE_EDIT,
        provider="local",
        default_parameters={"local_behaviour": "hang"},
    )
    upload = services.image_upload(
        user=funded,
        upload=validate_image_upload(SimpleUploadedFile("me.png", png_bytes(), content_type="image/png")),
    )
    job = services.job_submit(user=funded, ai_model=model, prompt="add a hat", source_image=upload)
    upload.file.storage.delete(upload.file.name)

    result = Result(SUCCEEDED, "p1", outputs=[Output(data=png_bytes())])
    assert services.apply_result(job, result) == "completed"
    report, manifest = manifest_of(stored(Image.objects.get(job_id=job.pk)), "image/png")
    assert report["validation_state"] == "Valid"
    assert actions(manifest)[-1]["digitalSourceType"] == COMPOSITE and not manifest.get("ingredients")


def test_verify_refuses_a_client_past_its_hourly_allowance_with_a_sentence(client, db):
    from generation.provenance.views import VERIFY_RATE_LIMIT

    for _ in range(VERIFY_RATE_LIMIT):
        assert verify(client, png_bytes(), "plain.png").status_code == 200
    response = verify(client, png_bytes(), "plain.png")
    assert response.status_code == 429
    assert "You have checked many images in a short time" in response.content.decode()


def test_an_avatar_image_names_the_avatar_in_its_credentials(market_business, local_model):
    avatar = AIAvatarFactory(name="Ava")
    job = services.job_submit(
        user=market_business, ai_model=local_model, prompt="Coat", avatar=avatar, category="formal"
    )
    _, manifest = manifest_of(stored(Image.objects.get(job_id=job.pk)), "image/png")
    assert assertion(manifest, LICENSE_LABEL) == {"subject": "AI avatar", "avatar_name": "Ava"}


def test_with_a_production_chain_our_images_read_as_ours_and_development_ones_as_unknown(
    client, funded, local_model, settings, tmp_path
):
    signed_in_development = stored(
        Image.objects.get(job_id=services.job_submit(user=funded, ai_model=local_model, prompt="a").pk)
    )
    production = keys.development_keys(tmp_path)  # stands in for a CA-issued chain
    settings.C2PA_SIGNING_CERT_PEM = production.chain_pem.decode()
    settings.C2PA_SIGNING_KEY_PEM = production.key_pem.decode()
    keys.signing_keys.cache_clear()
    try:
        job = services.job_submit(user=funded, ai_model=local_model, prompt="b")
        ours = verify(client, stored(Image.objects.get(job_id=job.pk)), "ours.png").content.decode()
        old = verify(client, signed_in_development, "old.png").content.decode()
    finally:
        keys.signing_keys.cache_clear()
    assert "Content Credentials: valid." in ours and "(ModelSnapper's certificate)" in ours
    assert "Content Credentials: valid." in old and "(a certificate we do not know)" in old
