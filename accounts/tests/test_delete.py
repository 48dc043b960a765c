from allauth.usersessions.models import UserSession
from django.test import Client

from accounts.models import ModelProfile, User
from modelsnapper.testing.factories import ModelProfileFactory, group_with_members

URL = "/settings/delete/"


def signed_in(user, password) -> Client:
    browser = Client(HTTP_USER_AGENT="Mozilla/5.0 (Windows NT 10.0; Win64; x64) Firefox/133.0")
    assert browser.post("/accounts/login/", {"login": user.username, "password": password}).status_code == 302
    return browser


def test_the_page_explains_what_happens(owner_client):
    page = owner_client.get(URL).content.decode()

    assert "signed out on every device" in page
    assert 'type="password"' in page


def test_a_wrong_password_is_an_error_and_nothing_changes(owner, password):
    browser = signed_in(owner, password)

    response = browser.post(URL, {"password": "wrong-password"})

    assert response.status_code == 200
    assert response.context["form"].errors["password"] == ["That password is not correct."]
    owner.refresh_from_db()
    assert owner.deleted_at is None and owner.is_active
    assert browser.get("/settings/").status_code == 200


def test_the_right_password_deletes_softly_and_signs_out_everywhere(owner, password, client):
    browser = signed_in(owner, password)
    other_device = signed_in(owner, password)

    response = browser.post(URL, {"password": password}, follow=True)

    assert response.wsgi_request.user.is_anonymous
    assert "Your account has been deleted" in response.content.decode()
    assert browser.get("/settings/").status_code == 302
    assert other_device.get("/settings/").status_code == 302
    assert not UserSession.objects.filter(user=owner).exists()
    kept = User.objects.get(pk=owner.pk)
    assert kept.deleted_at is not None
    assert not kept.is_active
    assert kept.email == "owner@example.com"


def test_a_deleted_account_cannot_sign_in_again(owner, password, client):
    browser = signed_in(owner, password)
    browser.post(URL, {"password": password})

    response = client.post("/accounts/login/", {"login": "owner", "password": password})

    assert response.status_code == 302
    assert response.url == "/accounts/inactive/"
    assert client.get("/settings/").status_code == 302


def test_a_deleted_accounts_profile_is_gone(owner, password, client):
    signed_in(owner, password).post(URL, {"password": password})

    assert client.get("/u/owner/").status_code == 404


def test_a_session_the_teardown_missed_is_signed_out_on_its_next_request(owner_client, owner):
    # force_login creates no allauth UserSession row: the middleware still catches it.
    User.objects.filter(pk=owner.pk).update(deleted_at=owner.date_joined)

    assert owner_client.get("/settings/").status_code == 302


def test_accounts_without_a_password_confirm_by_typing_the_username(client, owner):
    owner.set_unusable_password()
    owner.save()
    client.force_login(owner)

    wrong = client.post(URL, {"username": "someone-else"})
    assert wrong.context["form"].errors["username"]

    client.post(URL, {"username": "owner"})
    owner.refresh_from_db()
    assert owner.deleted_at is not None


def test_deleting_an_account_hides_its_posts_comments_stories_images_and_memberships_and_keeps_counters_right(
    owner, password, friend, stranger, client
):
    from django.core.files.base import ContentFile

    from generation import services as generation_services
    from modelsnapper.testing.media import png_bytes
    from social import services as social
    from social.models import Comment, Group, Post, Story, Tag

    social.follow_create(follower=owner, following=friend)
    social.follow_create(follower=friend, following=owner)
    group = group_with_members(creator=friend, name="Paper boats", members=[owner])
    post = social.post_create(author=owner, category="text-post", caption="So long #farewell", group=group)
    friends_post = social.post_create(author=friend, category="text-post", caption="Hello")
    social.comment_create(author=owner, post=friends_post, text="A very particular remark")
    social.like_add(user=owner, target=friends_post)
    story = social.story_create(author=owner, kind="text", text="Today at sea")
    image = generation_services.image_upload(user=owner, upload=ContentFile(png_bytes(), name="boat.png"))
    generation_services.image_set_public(image=image, public=True)

    post_url = f"/social/p/{post.pk}/"
    image_url = f"/generation/images/{image.pk}/file/"
    client.force_login(stranger)
    # Everything is public before: the checks below would pass for the wrong reason otherwise.
    assert client.get(post_url).status_code == 200
    assert post_url in client.get("/social/explore/").content.decode()
    assert "A very particular remark" in client.get(f"/social/p/{friends_post.pk}/").content.decode()
    assert client.get(image_url).status_code == 200
    assert "@owner" in client.get(f"/social/p/{friends_post.pk}/likes/").content.decode()

    signed_in(owner, password).post(URL, {"password": password})

    assert client.get(post_url).status_code == 404
    assert client.get(f"/social/p/{post.pk}/media/").status_code == 404
    assert post_url not in client.get("/social/explore/").content.decode()
    assert post_url not in client.get("/social/tags/farewell/").content.decode()
    assert post_url not in client.get(f"/social/groups/{group.slug}/").content.decode()
    assert "A very particular remark" not in client.get(f"/social/p/{friends_post.pk}/").content.decode()
    assert client.get(image_url).status_code == 404
    assert "@owner" not in client.get(f"/social/p/{friends_post.pk}/likes/").content.decode()
    client.force_login(friend)
    assert client.get(f"/social/stories/{story.pk}/").status_code == 404
    assert "Today at sea" not in client.get("/social/stories/").content.decode()

    # Soft delete: the content is kept, only hidden.
    assert Post.objects.filter(pk=post.pk).exists()
    assert Comment.objects.filter(author=owner).exists()
    assert Story.objects.filter(pk=story.pk).exists()
    # Counters follow what is visible.
    friend.refresh_from_db()
    assert (friend.stats.followers, friend.stats.following) == (0, 0)
    friends_post.refresh_from_db()
    assert (friends_post.comments_count, friends_post.likes_count) == (0, 0)
    assert friend.stats.likes_received == 0
    group.refresh_from_db()
    assert (group.members_count, group.posts_count) == (1, 0)
    assert Tag.objects.get(name="farewell").usage_count == 0
    assert User.objects.get(pk=owner.pk).stats.posts == 0
    assert not Group.objects.get(pk=group.pk).memberships.filter(user=owner).exists()


def test_a_former_model_who_switched_role_is_withdrawn_from_the_marketplace_on_deletion(owner):
    from accounts.services import user_soft_delete

    ModelProfileFactory(user=owner, display_name="Owner", consent_signed=True, is_active=True)
    User.objects.filter(pk=owner.pk).update(role=User.Role.BUSINESS)
    owner.refresh_from_db()

    user_soft_delete(user=owner)

    assert not ModelProfile.objects.get(user=owner).is_active


def test_a_deleted_groups_only_admin_hands_the_group_to_its_longest_standing_member(owner, friend, stranger):
    from accounts.services import user_soft_delete
    from social import services as social
    from social.models import GroupMembership

    group = social.group_create(creator=owner, name="Kite makers")
    social.group_join(user=friend, group=group)
    social.group_join(user=stranger, group=group)

    user_soft_delete(user=owner)

    group.refresh_from_db()
    assert group.is_active
    assert (group.members_count, group.admins_count) == (2, 1)
    roles = dict(GroupMembership.objects.filter(group=group).values_list("user_id", "role"))
    assert roles == {friend.pk: "admin", stranger.pk: "member"}


def test_a_group_whose_only_member_deletes_the_account_is_closed(owner, client):
    from accounts.services import user_soft_delete
    from social import services as social

    group = social.group_create(creator=owner, name="Just me")

    user_soft_delete(user=owner)

    assert client.get(f"/social/groups/{group.slug}/").status_code == 404
    assert group.slug not in client.get("/social/groups/").content.decode()
