import pytest
from django.core import mail
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from social import services
from social.models import Notification, NotificationOptOut, Save, SaveCollection


def test_saves_into_named_collections_with_notes_and_counts(client, friend, make_post):
    a, b, c = make_post(caption="post a"), make_post(caption="post b"), make_post(caption="post c")
    client.force_login(friend)
    client.post(reverse("social:post_save", args=[a.pk]), {"collection": "Ideas", "notes": "lighting!"})
    client.post(reverse("social:post_save", args=[b.pk]), {"collection": "Ideas"})
    client.post(reverse("social:post_save", args=[c.pk]), {})
    ideas = SaveCollection.objects.get(user=friend, name="Ideas")
    default = SaveCollection.objects.get(user=friend, name="Saved Items")
    assert ideas.saves_count == 2 and default.saves_count == 1
    page = client.get(reverse("social:saved_collection", args=[ideas.pk])).content.decode()
    assert "post a" in page and "post b" in page and "post c" not in page and "lighting!" in page
    all_page = client.get(reverse("social:saved")).content.decode()
    assert "Ideas" in all_page and "post c" in all_page
    a.refresh_from_db()
    assert a.saves_count == 1


def test_saving_twice_is_refused_and_unsave_counts_down(friend, make_post):
    post = make_post()
    services.save_create(user=friend, post=post)
    with pytest.raises(services.SocialError, match="already saved"):
        services.save_create(user=friend, post=post, collection_name="Other")
    assert services.save_delete(user=friend, post=post)
    post.refresh_from_db()
    assert post.saves_count == 0 and not Save.objects.exists()
    assert SaveCollection.objects.get(name="Saved Items").saves_count == 0


def test_someone_elses_collection_is_404(client, friend, stranger):
    collection = services.collection_get_or_create(user=friend, name="Mine")
    client.force_login(stranger)
    assert client.get(reverse("social:saved_collection", args=[collection.pk])).status_code == 404


def test_notification_kinds_badge_and_mark_read(client, owner, friend, make_post):
    post = make_post()
    services.like_add(user=friend, target=post)
    services.follow_create(follower=friend, following=owner)
    services.post_create(author=friend, category="text-post", caption="hey @owner look")
    for kind in ("coin_earned", "generation_complete"):
        services.notification_create(recipient=owner, kind=kind, text=f"{kind} happened")
    kinds = set(Notification.objects.filter(recipient=owner).values_list("kind", flat=True))
    assert kinds == {"like", "follow", "mention", "coin_earned", "generation_complete"}
    client.force_login(owner)
    badge = client.get(reverse("social:notification_badge")).content.decode()
    # Six: the five above, and the "First post" badge the owner's first post earned (a coin_earned).
    assert ">6<" in badge
    assert 'aria-label="Notifications, 6 unread"' in badge
    one = Notification.objects.filter(recipient=owner).first()
    client.post(reverse("social:notification_read", args=[one.pk]))
    one.refresh_from_db()
    assert one.read and one.read_at
    client.post(reverse("social:notification_read_all"))
    assert not Notification.objects.filter(recipient=owner, read=False).exists()
    badge = client.get(reverse("social:notification_badge")).content.decode()
    assert 'aria-label="Notifications"' in badge
    assert "unread" not in badge
    assert 'class="badge' not in badge


def test_cannot_mark_someone_elses_notification(friend, owner):
    n = services.notification_create(recipient=owner, kind="coin_earned", text="x")
    assert services.notification_mark_read(user=friend, notification_id=n.pk) is False


def test_group_invite_notification(owner, friend):
    group = services.group_create(creator=owner, name="Painters", visibility="secret")
    services.group_invite(by=owner, group=group, user=friend)
    assert Notification.objects.filter(recipient=friend, kind="group_invite").exists()


def test_email_respects_global_and_per_type_opt_out(owner, friend, client):
    mail.outbox.clear()
    services.notification_create(recipient=owner, kind="follow", actor=friend, text="followed")
    assert len(mail.outbox) == 1
    client.force_login(owner)
    kinds = [k for k in Notification.Kind.values if k != "like"]
    client.post(reverse("social:notification_settings"), {"email_kinds": kinds})
    assert list(NotificationOptOut.objects.filter(user=owner).values_list("kind", flat=True)) == ["like"]
    services.notification_create(recipient=owner, kind="like", actor=friend, text="liked")
    assert len(mail.outbox) == 1  # like e-mails are off
    owner.preferences.email_notifications = False
    owner.save()
    services.notification_create(recipient=owner, kind="follow", actor=friend, text="again")
    assert len(mail.outbox) == 1
    assert Notification.objects.filter(recipient=owner).count() == 3  # stored, just not e-mailed


def test_read_notifications_expire_after_30_days_by_ttl_index(db):
    info = connection.database[Notification._meta.db_table].index_information()
    ttl = info["notif_read_ttl"]
    assert ttl["key"] == [("read_at", 1)] and ttl["expireAfterSeconds"] == 30 * 24 * 3600


def test_unknown_notification_kind_is_a_programming_error(owner):
    with pytest.raises(ValueError):
        services.notification_create(recipient=owner, kind="nope")
    assert timezone.now()
