from django.core.files.base import ContentFile
from django.core.files.storage import default_storage


def test_public_media_is_streamed_from_gridfs(client, db):
    name = default_storage.save("avatars/abc/hello.txt", ContentFile(b"hello", name="hello.txt"))

    response = client.get(default_storage.url(name))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"hello"


def test_private_media_is_served_to_its_owner_only(client, owner, stranger):
    name = default_storage.save(f"private/{owner.pk}/secret.png", ContentFile(b"png-bytes"))
    url = default_storage.url(name)

    client.force_login(stranger)
    assert client.get(url).status_code == 404
    client.force_login(owner)
    assert client.get(url).status_code == 200
    client.logout()
    assert client.get(url).status_code == 404


def test_missing_media_is_404(client, db):
    assert client.get("/media/avatars/nothing-here.png").status_code == 404


def test_gridfs_storage_reports_size_listing_and_deletes(db):
    name = default_storage.save("docs/a/one.txt", ContentFile(b"12345"))
    default_storage.save("docs/b/two.txt", ContentFile(b"x"))

    assert default_storage.size(name) == 5
    assert default_storage.listdir("docs") == (["a", "b"], [])
    assert default_storage.listdir("docs/a") == ([], ["one.txt"])
    default_storage.delete(name)
    assert not default_storage.exists(name)


def test_saving_the_same_name_twice_keeps_both_files(db):
    first = default_storage.save("dup/x.txt", ContentFile(b"1"))
    second = default_storage.save("dup/x.txt", ContentFile(b"2"))

    assert first != second
    assert default_storage.open(first).read() == b"1"
    assert default_storage.open(second).read() == b"2"


def _video(db):
    return default_storage.save("videos/clip.mp4", ContentFile(bytes(range(256)) * 40, name="clip.mp4"))


def _body(response) -> bytes:
    return b"".join(response.streaming_content)


def test_gridfs_media_carries_an_etag_and_answers_304_when_unchanged(client, db):
    url = default_storage.url(_video(db))

    first = client.get(url)
    again = client.get(url, HTTP_IF_NONE_MATCH=first["ETag"])
    since = client.get(url, HTTP_IF_MODIFIED_SINCE=first["Last-Modified"])

    assert first.status_code == 200 and first["ETag"] and first["Last-Modified"]
    assert first["Cache-Control"] == "public, max-age=3600"
    assert again.status_code == 304 and again.content == b""
    assert since.status_code == 304


def test_a_byte_range_is_answered_with_206_and_just_those_bytes(client, db):
    url = default_storage.url(_video(db))
    whole = _body(client.get(url))

    middle = client.get(url, HTTP_RANGE="bytes=100-299")
    tail = client.get(url, HTTP_RANGE="bytes=-50")
    open_ended = client.get(url, HTTP_RANGE="bytes=10000-")

    assert middle.status_code == 206
    assert middle["Content-Range"] == f"bytes 100-299/{len(whole)}"
    assert middle["Content-Length"] == "200"
    assert _body(middle) == whole[100:300]
    assert _body(tail) == whole[-50:]
    assert _body(open_ended) == whole[10000:]


def test_a_range_past_the_end_is_416_and_a_stale_if_range_gets_everything(client, db):
    url = default_storage.url(_video(db))

    beyond = client.get(url, HTTP_RANGE="bytes=999999-")
    stale = client.get(url, HTTP_RANGE="bytes=0-9", HTTP_IF_RANGE='"an-old-etag"')

    assert beyond.status_code == 416
    assert beyond["Content-Range"] == "bytes */10240"
    assert stale.status_code == 200 and len(_body(stale)) == 10240


def test_private_media_is_cached_privately(client, owner):
    name = default_storage.save(f"private/{owner.pk}/secret.png", ContentFile(b"png-bytes"))
    client.force_login(owner)

    assert client.get(default_storage.url(name))["Cache-Control"] == "private, max-age=300"
