from django.urls import path

from social import views
from social.views import lightbox, shelf
from social.views.digests import notification_digest
from social.views.discover import discover_people
from social.views.near import posts_near
from social.views.notifications import follow_notify
from social.views.search import search

app_name = "social"

urlpatterns = [
    # Feeds
    path("", views.following, name="following"),
    path("explore/", views.explore, name="explore"),
    path("near/", posts_near, name="posts_near"),
    path("trending/", views.trending, name="trending"),
    path("search/", search, name="search"),
    path("people/", discover_people, name="discover_people"),
    path("liked/", views.liked, name="liked"),
    path("saved/", views.saved, name="saved"),
    path("saved/<str:collection_id>/", views.saved, name="saved_collection"),
    path("saved/<str:collection_id>/edit/", views.collection_edit, name="collection_edit"),
    path("saved/<str:collection_id>/delete/", views.collection_delete, name="collection_delete"),
    path("saves/<str:save_id>/", views.save_edit, name="save_edit"),
    path("dashboard/", views.dashboard, name="dashboard"),
    # Posts
    path("p/new/", views.post_create, name="post_create"),
    path("p/new/from-image/<str:image_id>/", views.post_publish_generation, name="post_publish_generation"),
    path("p/<str:post_id>/", views.post_detail, name="post_detail"),
    path("p/<str:post_id>/edit/", views.post_edit, name="post_edit"),
    path("p/<str:post_id>/delete/", views.post_delete, name="post_delete"),
    path("p/<str:post_id>/publish/", shelf.post_publish, name="post_publish"),
    path("p/<str:post_id>/archive/", shelf.post_archive, name="post_archive"),
    path("p/<str:post_id>/restore/", shelf.post_restore, name="post_restore"),
    path("p/<str:post_id>/media/", views.post_media, name="post_media"),
    path("p/<str:post_id>/thumbnail/", views.post_media, {"which": "thumbnail"}, name="post_thumbnail"),
    path("p/<str:post_id>/v/<str:variant>", views.post_variant, name="post_variant"),
    path("p/<str:post_id>/lightbox/", lightbox.post_lightbox, name="post_lightbox"),
    path("p/<str:post_id>/like/", views.post_like, name="post_like"),
    path("p/<str:post_id>/likes/", views.post_likers, name="post_likers"),
    path("p/<str:post_id>/save/", views.post_save, name="post_save"),
    path("p/<str:post_id>/share/", views.post_share, name="post_share"),
    path("p/<str:post_id>/comments/", views.comment_create, name="comment_create"),
    # A generated image opened large from a grid (the history's, or anyone's public one)
    path("images/<str:image_id>/lightbox/", lightbox.image_lightbox, name="image_lightbox"),
    # Comments
    path("c/<str:comment_id>/edit/", views.comment_edit, name="comment_edit"),
    path("c/<str:comment_id>/delete/", views.comment_delete, name="comment_delete"),
    path("c/<str:comment_id>/like/", views.comment_like, name="comment_like"),
    # People
    path("u/<str:username>/posts/", views.profile_posts, name="profile_posts"),
    path("u/<str:username>/follow/", views.follow_toggle, name="follow_toggle"),
    path("u/<str:username>/follow/notify/", follow_notify, name="follow_notify"),
    path("u/<str:username>/block/", views.block_toggle, name="block_toggle"),
    path("u/<str:username>/followers/", views.people, {"direction": "followers"}, name="followers"),
    path("u/<str:username>/following/", views.people, {"direction": "following"}, name="following_list"),
    # Notifications
    path("notifications/", views.notifications, name="notifications"),
    path("notifications/badge/", views.notification_badge, name="notification_badge"),
    path("notifications/read-all/", views.notification_read_all, name="notification_read_all"),
    path("notifications/settings/", views.notification_settings, name="notification_settings"),
    path("notifications/digest/", notification_digest, name="notification_digest"),
    path("notifications/<str:notification_id>/read/", views.notification_read, name="notification_read"),
    # Stories
    path("stories/", views.stories, name="stories"),
    path("stories/new/", views.story_create, name="story_create"),
    path("stories/close-friends/", views.close_friends, name="close_friends"),
    path("stories/close-friends/<str:username>/", views.close_friend_toggle, name="close_friend_toggle"),
    path("stories/<str:story_id>/", views.story_detail, name="story_detail"),
    path("stories/<str:story_id>/delete/", views.story_delete, name="story_delete"),
    path("stories/<str:story_id>/media/", views.story_media, name="story_media"),
    path("stories/<str:story_id>/v/<str:variant>", views.story_variant, name="story_variant"),
    # Tags
    path("tags/", views.tags, name="tags"),
    path("tags/<str:name>/", views.tag_detail, name="tag"),
    # Groups
    path("groups/", views.groups, name="groups"),
    path("groups/new/", views.group_create, name="group_create"),
    path("groups/<slug:slug>/", views.group_detail, name="group_detail"),
    path("groups/<slug:slug>/members/", views.group_members, name="group_members"),
    path("groups/<slug:slug>/edit/", views.group_edit, name="group_edit"),
    path("groups/<slug:slug>/deactivate/", views.group_deactivate, name="group_deactivate"),
    path("groups/<slug:slug>/join/", views.group_join, name="group_join"),
    path("groups/<slug:slug>/leave/", views.group_leave, name="group_leave"),
    path("groups/<slug:slug>/invite/", views.group_invite, name="group_invite"),
    path("groups/<slug:slug>/post/", views.group_post, name="group_post"),
    path(
        "groups/<slug:slug>/members/<str:membership_id>/approve/", views.group_approve, name="group_approve"
    ),
    path("groups/<slug:slug>/members/<str:membership_id>/remove/", views.group_remove, name="group_remove"),
    path("groups/<slug:slug>/members/<str:membership_id>/role/", views.group_role, name="group_role"),
    # Articles
    path("articles/", views.articles, name="articles"),
    path("articles/<slug:slug>/", views.article_detail, name="article_detail"),
    # Moderation
    path("report/<str:target_type>/<str:target_id>/", views.report, name="report"),
]
