"""Group pages and the actions of members and managers."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from social import selectors, services
from social.forms import GroupEditForm, GroupForm, GroupPostForm, InviteForm, split_tags
from social.models import Group, GroupMembership, Post
from social.selectors.groups import DEFAULT_GROUP_SORT, GROUP_SORTS, group_active_members_count
from social.services import SocialError
from social.views.common import _back, _cursor, _htmx


def groups(request):
    category = request.GET.get("category")
    category = category if category in Group.Category.values else None
    sort = request.GET.get("sort")
    sort = sort if sort in GROUP_SORTS else DEFAULT_GROUP_SORT
    page = selectors.groups_list(request.user, _cursor(request), category=category, sort=sort)
    return render(
        request,
        "social/groups.html",
        {
            "page": page,
            "mine": selectors.my_groups(request.user),
            "category": category,
            "categories": Group.Category.choices,
            "sort": sort,
            "sorts": [(key, label) for key, (label, _field) in GROUP_SORTS.items()],
        },
    )


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
            "active_members": group_active_members_count(group),
            "post_form": GroupPostForm(),
            "invite_form": InviteForm(),
        },
    )


def _admin_group(request, slug: str):
    """The group, for its active admins; a 404 for anyone else (the services check again)."""
    group, membership = selectors.group_for_viewer(request.user, slug)
    if not (membership and membership.is_active and membership.role == GroupMembership.Role.ADMIN):
        raise Http404("No such page.")
    return group


@login_required
def group_edit(request, slug: str):
    group = _admin_group(request, slug)
    form = GroupEditForm(
        request.POST or None,
        initial={
            "name": group.name,
            "description": group.description,
            "visibility": group.visibility,
            "join_approval_required": group.join_approval_required,
            "category": group.category,
            "tags": " ".join(group.tags),
        },
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.group_update(
                user=request.user,
                group=group,
                name=data["name"],
                description=data["description"],
                visibility=data["visibility"],
                join_approval_required=data["join_approval_required"],
                category=data["category"],
                tags=split_tags(data["tags"]),
            )
        except SocialError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Group updated."))
            return redirect(group.get_absolute_url())
    return render(request, "social/group_edit.html", {"form": form, "group": group})


@login_required
def group_deactivate(request, slug: str):
    """GET asks for confirmation; POST deactivates (admins only: anyone else gets a 404)."""
    group = _admin_group(request, slug)
    if request.method == "POST":
        services.group_deactivate(user=request.user, group=group)
        messages.success(request, _("“%(name)s” is deactivated.") % {"name": group.name})
        return redirect("social:groups")
    return render(request, "social/group_deactivate.html", {"group": group})


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
        return _("Welcome to the group.") if m.is_active else _("Request sent; an admin will approve it.")

    return _group_action(request, slug, act)


@login_required
@require_POST
def group_leave(request, slug: str):
    return _group_action(
        request,
        slug,
        lambda g, m: services.group_leave(user=request.user, group=g) or _("You left the group."),
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
        _("Approved."),
    )


@login_required
@require_POST
def group_remove(request, slug: str, membership_id):
    return _member_action(
        request,
        slug,
        membership_id,
        lambda m: services.group_remove_member(by=request.user, membership=m),
        _("Removed."),
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
        _("Role changed."),
    )


@login_required
@require_POST
def group_invite(request, slug: str):
    from django.contrib.auth import get_user_model

    def act(group, membership):
        form = InviteForm(request.POST)
        if not form.is_valid():
            raise SocialError(_("Enter a username."))
        person = get_user_model().objects.visible().filter(username=form.cleaned_data["username"]).first()
        if person is None:
            raise SocialError(_("No one has that username."))
        services.group_invite(by=request.user, group=group, user=person)
        return _("Invited %(name)s.") % {"name": person.username}

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
                latitude=data["latitude"],
                longitude=data["longitude"],
                group=group,
                thumbnail=getattr(data.get("media"), "thumbnail", None),
            )
        except SocialError as exc:
            messages.error(request, exc.message)
        else:
            messages.success(request, _("Posted in the group."))
    else:
        for errors in form.errors.values():
            for error in errors:
                messages.error(request, error)
    return redirect(group.get_absolute_url())
