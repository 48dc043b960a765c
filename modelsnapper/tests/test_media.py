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
