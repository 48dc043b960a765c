"""Thin views: load through a privacy-checking selector, validate a form, call one service.

A post, comment, story or group the viewer may not see is a 404, exactly like a missing one.
HTMX requests for "load more" get only the list items; like/follow/save toggles get the button.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.admin.views.decorators import staff_member_required  # noqa: F401
from django.contrib.auth.decorators import login_required
from django.core.files.storage import default_storage
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.html import format_html
from django.views.decorators.http import require_POST

from modelsnapper.media import serve_file
from modelsnapper.ratelimit import client_ip
from social import selectors, services
from social.forms import (
    CommentForm,
    GroupForm,
    GroupPostForm,
    InviteForm,
    NotificationSettingsForm,
    PostEditForm,
    PostForm,
    PublishGenerationForm,
    ReportForm,
    SaveForm,
    StoryForm,
    split_tags,
)
from social.models import (
    Article,
    Comment,
    GroupMembership,
    Notification,
    NotificationOptOut,
    Post,
    Report,
    SaveCollection,
)
from social.services import SocialError


def _htmx(request) -> bool:
    return request.headers.get("HX-Request") == "true"


def _cursor(request) -> str | None:
    return request.GET.get("cursor") or None


def _feed_response(
    request, page, *, title: str, heading: str, tabs=None, extra=None, empty="Nothing here yet."
):
    context = {
        "page": page,
        "title": title,
        "heading": heading,
        "tabs": tabs or [],
        "empty": empty,
        **(extra or {}),
    }
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", context)
    return render(request, "social/feed.html", context)


def _category(request) -> str | None:
    value = request.GET.get("category") or None
    return value if value in Post.Category.values else None


def _back(request, fallback: str) -> str:
    nxt = request.POST.get("next") or request.GET.get("next") or ""
    return nxt if nxt.startswith("/") and not nxt.startswith("//") else fallback


# --- Feeds -------------------------------------------------------------------------------------------


@login_required
def following(request):
    page = selectors.following_feed(request.user, _cursor(request))
    return _feed_response(
        request,
        page,
        title="Following",
        heading="Following",
        empty="Posts from people you follow appear here. Find people on Explore.",
        extra={"stories": selectors.active_stories(request.user, followed=page.extra["following_ids"])},
    )


def explore(request):
    category = _category(request)
    page = selectors.explore_feed(request.user, category=category, cursor=_cursor(request))
    tabs = [("All", reverse("social:explore"), category is None)] + [
        (label, f"{reverse('social:explore')}?category={value}", category == value)
        for value, label in Post.Category.choices
    ]
    return _feed_response(
        request, page, title="Explore", heading="Explore", tabs=tabs, extra={"category": category}
    )


def trending(request):
    period = request.GET.get("period") if request.GET.get("period") in selectors.TRENDING_PERIODS else "week"
    page = selectors.trending_feed(request.user, period=period, cursor=_cursor(request))
    tabs = [
        (label, f"{reverse('social:trending')}?period={value}", period == value)
        for value, label in (("day", "Today"), ("week", "This week"), ("month", "This month"))
    ]
    return _feed_response(
        request, page, title="Trending", heading="Trending", tabs=tabs, extra={"period": period}
    )


def tag_detail(request, name: str):
    name = name.lower()
    from social.models import Tag

    tag = Tag.objects.filter(name=name).first()
    page = selectors.tag_feed(request.user, name, _cursor(request))
    return _feed_response(request, page, title=f"#{name}", heading=f"#{name}", extra={"tag": tag})


def tags(request):
    return render(request, "social/tags.html", {"tags": selectors.trending_tags()})


@login_required
def liked(request):
    page = selectors.liked_posts(request.user, _cursor(request))
    return _feed_response(request, page, title="Liked posts", heading="Posts you liked")


# --- Posts ------------------------------------------------------------------------------------------


@login_required
def post_create(request):
    form = PostForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        media = data.get("media") or None
        try:
            post = services.post_create(
                author=request.user,
                category=data["category"],
                caption=data["caption"],
                title=data["title"],
                media=media,
                visibility=data["visibility"],
                status=data["status"],
                tags=split_tags(data["tags"]),
                location_name=data["location_name"],
                thumbnail=getattr(data.get("media"), "thumbnail", None),
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Posted." if post.status == Post.Status.PUBLISHED else "Saved.")
            return redirect(post.get_absolute_url())
    return render(request, "social/post_form.html", {"form": form, "editing": False})


@login_required
def post_publish_generation(request, image_id):
    """Publish one of my generated images to the feed, with its AI details."""
    from generation.selectors import image_for_user

    image = image_for_user(request.user, image_id)
    form = PublishGenerationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            post, created = services.post_publish_generation(
                author=request.user,
                image=image,
                caption=data["caption"],
                visibility=data["visibility"],
                tags=split_tags(data["tags"]),
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            if created:
                messages.success(request, "Published to your feed.")
            else:
                messages.info(request, "You already published this image: here is its post.")
            return redirect(post.get_absolute_url())
    return render(request, "social/post_publish_generation.html", {"form": form, "image": image})


def post_detail(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    services.post_record_view(
        post=post,
        viewer=request.user,
        client_key=services.visitor_fingerprint(
            ip=client_ip(request), user_agent=request.headers.get("user-agent", "")
        ),
    )
    selectors.decorate_posts(request.user, [post])
    comments = selectors.post_comments(request.user, post, _cursor(request))
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/comment_items.html", {"post": post, "comments": comments})
    return render(
        request,
        "social/post_detail.html",
        {
            "post": post,
            "comments": comments,
            "comment_form": CommentForm(),
            "save_form": SaveForm(),
            "share_url": request.build_absolute_uri(post.get_absolute_url()),
        },
    )


def _own_post(request, post_id) -> Post:
    post = selectors.post_for_viewer(request.user, post_id)
    if post.author_id != request.user.pk:
        raise Http404("No such post.")
    return post


@login_required
def post_edit(request, post_id):
    post = _own_post(request, post_id)
    initial = {
        "title": post.title,
        "caption": post.caption,
        "tags": " ".join(post.tags),
        "location_name": post.location_name,
        "visibility": post.visibility,
        "status": post.status,
    }
    form = PostEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.post_update(
                post=post,
                editor=request.user,
                caption=data["caption"],
                title=data["title"],
                visibility=data["visibility"],
                status=data["status"],
                tags=split_tags(data["tags"]),
                location_name=data["location_name"],
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, "Post updated.")
            return redirect(post.get_absolute_url())
    return render(request, "social/post_form.html", {"form": form, "editing": True, "post": post})


@login_required
def post_delete(request, post_id):
    post = _own_post(request, post_id)
    if request.method == "POST":
        services.post_delete(post=post, by=request.user)
        messages.success(request, "Post deleted.")
        return redirect("social:profile_posts", username=request.user.username)
    return render(
        request, "social/confirm.html", {"title": "Delete this post?", "object": post, "action": "Delete"}
    )


def post_media(request, post_id, which: str = "media"):
    """Post media with the post's privacy rules (files live under private/<author>/)."""
    post = selectors.post_for_viewer(request.user, post_id)
    field = post.thumbnail if which == "thumbnail" else post.media
    if not field:
        raise Http404("No media.")
    return serve_file(
        request,
        storage=default_storage,
        name=field.name,
        public=post.visibility == Post.Visibility.PUBLIC and post.listed,
        content_type="image/png" if which == "thumbnail" else post.media_type or None,
    )


@login_required
@require_POST
def post_like(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    try:
        liked = services.like_toggle(user=request.user, target=post)
    except SocialError as exc:
        messages.error(request, exc.message)
        liked = False
    if _htmx(request):
        post.refresh_from_db(fields=["likes_count"])
        post.viewer_liked = liked
        return render(request, "social/includes/like_button.html", {"post": post})
    return redirect(_back(request, post.get_absolute_url()))


@login_required
def post_likers(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    page = selectors.post_likers(request.user, post, _cursor(request))
    return render(request, "social/people.html", {"page": page, "heading": "Liked by", "post": post})


@login_required
@require_POST
def post_save(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    if request.POST.get("remove"):
        services.save_delete(user=request.user, post=post)
        saved = False
    else:
        form = SaveForm(request.POST)
        saved = False
        if form.is_valid():
            try:
                services.save_create(
                    user=request.user,
                    post=post,
                    collection_name=form.cleaned_data["collection"],
                    notes=form.cleaned_data["notes"],
                )
                saved = True
            except SocialError as exc:
                messages.error(request, exc.message)
                saved = "already" in exc.message
        else:
            messages.error(request, "Collection names are up to 60 characters and notes up to 500.")
    if _htmx(request):
        post.viewer_saved = saved
        return render(request, "social/includes/save_button.html", {"post": post})
    return redirect(_back(request, post.get_absolute_url()))


@login_required
@require_POST
def post_share(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    services.post_share(post=post, user=request.user)
    url = request.build_absolute_uri(post.get_absolute_url())
    if _htmx(request):
        return HttpResponse(
            format_html('<input class="share-link" readonly value="{}" aria-label="Share link">', url)
        )
    messages.success(request, f"Share link: {url}")
    return redirect(post.get_absolute_url())


# --- Comments --------------------------------------------------------------------------------------


@login_required
@require_POST
def comment_create(request, post_id):
    post = selectors.post_for_viewer(request.user, post_id)
    form = CommentForm(request.POST)
    if not form.is_valid():
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
        return redirect(post.get_absolute_url())
    parent = None
    if form.cleaned_data["parent"]:
        oid = selectors.parse_object_id(form.cleaned_data["parent"])
        parent = Comment.objects.filter(pk=oid, post=post).first() if oid else None
        if parent is None:
            raise Http404("No such comment.")
    try:
        comment = services.comment_create(
            author=request.user, post=post, text=form.cleaned_data["text"], parent=parent
        )
    except SocialError as exc:
        messages.error(request, exc.message)
        return redirect(post.get_absolute_url())
    return redirect(f"{post.get_absolute_url()}#comment-{comment.pk}")


@login_required
def comment_edit(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    if comment.author_id != request.user.pk:
        raise Http404("No such comment.")
    form = CommentForm(request.POST or None, initial={"text": comment.text})
    if request.method == "POST" and form.is_valid():
        try:
            services.comment_edit(comment=comment, editor=request.user, text=form.cleaned_data["text"])
        except SocialError as exc:
            form.add_error("text", exc.message)
        else:
            return redirect(f"{comment.post.get_absolute_url()}#comment-{comment.pk}")
    return render(request, "social/comment_edit.html", {"form": form, "comment": comment})


@login_required
@require_POST
def comment_delete(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    try:
        services.comment_delete(comment=comment, by=request.user)
    except SocialError as exc:
        messages.error(request, exc.message)
    return redirect(comment.post.get_absolute_url())


@login_required
@require_POST
def comment_like(request, comment_id):
    comment = selectors.comment_for_viewer(request.user, comment_id)
    try:
        services.like_toggle(user=request.user, target=comment)
    except SocialError as exc:
        messages.error(request, exc.message)
    return redirect(f"{comment.post.get_absolute_url()}#comment-{comment.pk}")


# --- People -------------------------------------------------------------------------------------------


def profile_posts(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    context = selectors.profile_context(
        request.user, person, category=_category(request), cursor=_cursor(request)
    )
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", context)
    return render(request, "social/profile_posts_page.html", context)


@login_required
@require_POST
def follow_toggle(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    try:
        now_following = services.follow_toggle(follower=request.user, following=person)
    except SocialError as exc:
        if _htmx(request):
            return HttpResponse(format_html('<p class="errorlist" role="alert">{}</p>', exc.message))
        messages.error(request, exc.message)
        return redirect(_back(request, reverse("social:profile_posts", kwargs={"username": username})))
    if _htmx(request):
        person.refresh_from_db(fields=["stats"])
        return render(
            request, "social/includes/follow_button.html", {"person": person, "is_following": now_following}
        )
    return redirect(_back(request, reverse("social:profile_posts", kwargs={"username": username})))


@login_required
@require_POST
def block_toggle(request, username: str):
    person = selectors.person_for_viewer(request.user, username)
    if request.POST.get("unblock"):
        services.block_delete(blocker=request.user, blocked=person)
        messages.success(request, f"You unblocked {person.username}.")
    else:
        try:
            services.block_create(blocker=request.user, blocked=person)
        except SocialError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(
                request, f"You blocked {person.username}. They can no longer see, follow or comment on you."
            )
    return redirect("social:profile_posts", username=person.username)


def people(request, username: str, direction: str):
    person = selectors.person_for_viewer(request.user, username)
    page = selectors.follow_list(person, direction=direction, cursor=_cursor(request))
    heading = f"Followers of {person.username}" if direction == "followers" else f"{person.username} follows"
    return render(request, "social/people.html", {"page": page, "heading": heading, "person": person})


@login_required
def saved(request, collection_id=None):
    collection = None
    if collection_id is not None:
        collection = get_object_or_404(
            SaveCollection, pk=selectors.parse_object_id(collection_id), user=request.user
        )
    page = selectors.saved_posts(request.user, collection, _cursor(request))
    context = {
        "page": page,
        "collections": selectors.save_collections(request.user),
        "collection": collection,
    }
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/saved_items.html", context)
    return render(request, "social/saved.html", context)


@login_required
def dashboard(request):
    return render(request, "social/dashboard.html", {"stats": selectors.dashboard(request.user)})


# --- Notifications -------------------------------------------------------------------------------------


@login_required
def notifications(request):
    page = selectors.notifications_page(request.user, _cursor(request))
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/notification_items.html", {"page": page})
    return render(
        request, "social/notifications.html", {"page": page, "unread": selectors.unread_count(request.user)}
    )


@login_required
def notification_badge(request):
    return render(
        request, "social/includes/notification_badge.html", {"unread": selectors.unread_count(request.user)}
    )


@login_required
@require_POST
def notification_read(request, notification_id):
    services.notification_mark_read(user=request.user, notification_id=notification_id)
    notification = Notification.objects.filter(
        pk=selectors.parse_object_id(notification_id), recipient=request.user
    ).first()
    if notification and notification.url and request.POST.get("open"):
        return redirect(notification.url)
    return redirect("social:notifications")


@login_required
@require_POST
def notification_read_all(request):
    count = services.notification_mark_all_read(user=request.user)
    messages.success(request, f"Marked {count} notification{'s' if count != 1 else ''} as read.")
    return redirect("social:notifications")


@login_required
def notification_settings(request):
    off = set(NotificationOptOut.objects.filter(user=request.user).values_list("kind", flat=True))
    initial = {"email_kinds": [k for k in Notification.Kind.values if k not in off]}
    form = NotificationSettingsForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        wanted = set(form.cleaned_data["email_kinds"])
        services.notification_set_email_optouts(
            user=request.user, kinds_off=[k for k in Notification.Kind.values if k not in wanted]
        )
        messages.success(request, "E-mail settings saved.")
        return redirect("social:notification_settings")
    return render(request, "social/notification_settings.html", {"form": form})


# --- Stories --------------------------------------------------------------------------------------------


@login_required
def stories(request):
    return render(request, "social/stories.html", {"stories": selectors.active_stories(request.user)})


@login_required
def story_create(request):
    form = StoryForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            story = services.story_create(
                author=request.user,
                kind=data["kind"],
                text=data["text"],
                background_color=data["background_color"],
                media=data.get("media"),
                visibility=data["visibility"],
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(story.get_absolute_url())
    return render(request, "social/story_form.html", {"form": form})


@login_required
def story_detail(request, story_id):
    story = selectors.story_for_viewer(request.user, story_id)
    services.story_record_view(story=story, viewer=request.user)
    return render(request, "social/story_detail.html", {"story": story})


@login_required
def story_media(request, story_id):
    story = selectors.story_for_viewer(request.user, story_id)
    if not story.media:
        raise Http404("No media.")
    return serve_file(
        request,
        storage=default_storage,
        name=story.media.name,
        public=False,
        content_type=story.media_type or None,
    )


# --- Groups -------------------------------------------------------------------------------------------


def groups(request):
    page = selectors.groups_list(request.user, _cursor(request))
    return render(request, "social/groups.html", {"page": page, "mine": selectors.my_groups(request.user)})


@login_required
def group_create(request):
    form = GroupForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            group = services.group_create(
                creator=request.user,
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                join_approval_required=data["join_approval_required"],
                category=data["category"],
                tags=split_tags(data["tags"]),
                avatar=data.get("avatar") or None,
                cover_image=data.get("cover_image") or None,
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            return redirect(group.get_absolute_url())
    return render(request, "social/group_form.html", {"form": form})


def group_detail(request, slug: str):
    group, membership = selectors.group_for_viewer(request.user, slug)
    page = selectors.group_posts(request.user, group, membership, _cursor(request))
    if _htmx(request) and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", {"page": page})
    return render(
        request,
        "social/group_detail.html",
        {
            "group": group,
            "membership": membership,
            "page": page,
            "pending": selectors.group_join_requests(group, membership),
            "post_form": GroupPostForm(),
            "invite_form": InviteForm(),
        },
    )


@login_required
def group_members(request, slug: str):
    group, membership = selectors.group_for_viewer(request.user, slug)
    members = selectors.group_members(group, membership)
    return render(
        request,
        "social/group_members.html",
        {"group": group, "membership": membership, "members": members, "roles": GroupMembership.Role.choices},
    )


def _group_action(request, slug, action):
    group, membership = selectors.group_for_viewer(request.user, slug)
    try:
        message = action(group, membership)
    except SocialError as exc:
        messages.error(request, exc.message)
    else:
        if message:
            messages.success(request, message)
    return redirect(_back(request, group.get_absolute_url()))


@login_required
@require_POST
def group_join(request, slug: str):
    def act(group, membership):
        m = services.group_join(user=request.user, group=group)
        return "Welcome to the group." if m.is_active else "Request sent; an admin will approve it."

    return _group_action(request, slug, act)


@login_required
@require_POST
def group_leave(request, slug: str):
    return _group_action(
        request, slug, lambda g, m: services.group_leave(user=request.user, group=g) or "You left the group."
    )


def _membership_in(group, membership_id) -> GroupMembership:
    oid = selectors.parse_object_id(membership_id)
    membership = GroupMembership.objects.filter(pk=oid, group=group).first() if oid else None
    if membership is None:
        raise Http404("No such member.")
    return membership


def _member_action(request, slug, membership_id, act, done: str):
    """Run ``act`` on one member of the group (404 for anyone else), then go back saying ``done``."""
    return _group_action(request, slug, lambda g, m: act(_membership_in(g, membership_id)) or done)


@login_required
@require_POST
def group_approve(request, slug: str, membership_id):
    return _member_action(
        request,
        slug,
        membership_id,
        lambda m: services.group_approve(by=request.user, membership=m),
        "Approved.",
    )


@login_required
@require_POST
def group_remove(request, slug: str, membership_id):
    return _member_action(
        request,
        slug,
        membership_id,
        lambda m: services.group_remove_member(by=request.user, membership=m),
        "Removed.",
    )


@login_required
@require_POST
def group_role(request, slug: str, membership_id):
    """An admin makes a member admin, moderator or member again."""
    role = request.POST.get("role", "")
    return _member_action(
        request,
        slug,
        membership_id,
        lambda m: services.group_set_role(by=request.user, membership=m, role=role),
        "Role changed.",
    )


@login_required
@require_POST
def group_invite(request, slug: str):
    from django.contrib.auth import get_user_model

    def act(group, membership):
        form = InviteForm(request.POST)
        if not form.is_valid():
            raise SocialError("Enter a username.")
        person = get_user_model().objects.visible().filter(username=form.cleaned_data["username"]).first()
        if person is None:
            raise SocialError("No one has that username.")
        services.group_invite(by=request.user, group=group, user=person)
        return f"Invited {person.username}."

    return _group_action(request, slug, act)


@login_required
@require_POST
def group_post(request, slug: str):
    group, membership = selectors.group_for_viewer(request.user, slug)
    form = GroupPostForm(request.POST, request.FILES)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.post_create(
                author=request.user,
                category=data["category"],
                caption=data["caption"],
                title=data["title"],
                media=data.get("media") or None,
                visibility=Post.Visibility.PUBLIC,
                status=Post.Status.PUBLISHED,
                tags=split_tags(data["tags"]),
                location_name=data["location_name"],
                group=group,
                thumbnail=getattr(data.get("media"), "thumbnail", None),
            )
        except SocialError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, "Posted in the group.")
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(group.get_absolute_url())


# --- Articles ---------------------------------------------------------------------------------------------


def articles(request):
    return render(request, "social/articles.html", {"page": selectors.articles_page(_cursor(request))})


def article_detail(request, slug: str):
    article = Article.objects.filter(slug=slug).first()
    if article is None or (article.status != Article.Status.PUBLISHED and not request.user.is_staff):
        raise Http404("No such article.")
    return render(request, "social/article_detail.html", {"article": article})


# --- Reports ----------------------------------------------------------------------------------------------


@login_required
def report(request, target_type: str, target_id):
    if target_type == "post":
        target = selectors.post_for_viewer(request.user, target_id)
        back = target.get_absolute_url()
    elif target_type == "comment":
        target = selectors.comment_for_viewer(request.user, target_id)
        back = target.post.get_absolute_url()
    elif target_type == "user":
        from django.contrib.auth import get_user_model

        target = get_object_or_404(get_user_model(), pk=selectors.parse_object_id(target_id))
        back = reverse("social:profile_posts", kwargs={"username": target.username})
    else:
        raise Http404
    form = ReportForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.report_create(
                reporter=request.user,
                target_type=target_type,
                target_id=target.pk,
                reason=form.cleaned_data["reason"],
                details=form.cleaned_data["details"],
            )
        except SocialError as exc:
            messages.info(request, exc.message)
        else:
            messages.success(request, "Thanks: our moderators will review it.")
        return redirect(back)
    return render(
        request,
        "social/report_form.html",
        {
            "form": form,
            "target_type": target_type,
            "target": target,
            "back": back,
            "reasons": Report.Reason.choices,
        },
    )
