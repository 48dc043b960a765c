"""Account pages: thin views that load, validate, call one service, redirect."""

from __future__ import annotations

from allauth.account.views import SignupView as AllauthSignupView
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.db import IntegrityError
from django.shortcuts import redirect, render
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from accounts import selectors, services
from accounts.forms import DeleteAccountForm, PreferencesForm, ProfileForm, RoleForm
from accounts.language import offered, user_language_save
from social import selectors as social_selectors


def profile(request, username: str):
    """The public profile with the posts this viewer may see (404 when they are blocked)."""
    person = social_selectors.person_for_viewer(request.user, username)
    posts = social_selectors.profile_context(
        request.user,
        person,
        category=request.GET.get("category"),
        cursor=request.GET.get("cursor"),
        status=request.GET.get("status"),
    )
    if request.headers.get("HX-Request") == "true" and request.GET.get("cursor"):
        return render(request, "social/includes/post_items.html", posts)
    return render(
        request,
        "accounts/profile.html",
        {**posts, "is_self": request.user.is_authenticated and request.user.pk == person.pk},
    )


@login_required
def settings_index(request):
    return render(request, "accounts/settings.html")


@login_required
def profile_edit(request):
    # The form writes cleaned values onto its instance even when invalid; editing a
    # fresh copy keeps request.user (nav, theme) showing what is actually saved.
    user = selectors.user_get_for_edit(user=request.user)
    form = ProfileForm(request.POST or None, request.FILES or None, instance=user)
    if request.method == "POST" and form.is_valid():
        try:
            services.user_update_profile(
                user=user,
                data=form.profile_data(),
                avatar=form.image_change("avatar"),
                cover_image=form.image_change("cover_image"),
            )
        except IntegrityError:
            # Someone took the username between validation and save (unique index).
            user.refresh_from_db()
            form.add_error("username", _("This username is already taken."))
        else:
            messages.success(request, _("Your profile has been saved."))
            return redirect("accounts:profile_edit")
    return render(request, "accounts/profile_edit.html", {"form": form})


@login_required
def preferences(request):
    user = request.user
    current = user.preferences
    form = PreferencesForm(
        request.POST or None,
        initial={
            "dark_mode": current.dark_mode,
            "email_notifications": current.email_notifications,
            "push_notifications": current.push_notifications,
            "language": current.language,
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_update_preferences(user=user, **form.cleaned_data)
        # The message is in the language just chosen, as is the page it lands on.
        translation.activate(form.cleaned_data["language"])
        messages.success(request, _("Your preferences have been saved."))
        response = redirect("accounts:preferences")
        # Kept after signing out too, as the footer's switcher does.
        response.set_cookie(settings.LANGUAGE_COOKIE_NAME, form.cleaned_data["language"], samesite="Lax")
        return response
    return render(request, "accounts/preferences.html", {"form": form})


@login_required
def role(request):
    user = request.user
    # A missing reverse one-to-one raises a subclass of AttributeError, so getattr's default applies.
    business = getattr(user, "business_profile", None)
    model = getattr(user, "model_profile", None)
    form = RoleForm(
        request.POST or None,
        initial={
            "role": user.role,
            "business_name": business.business_name if business else "",
            "display_name": model.display_name if model else "",
        },
    )
    if request.method == "POST" and form.is_valid():
        services.user_set_role(
            user=user,
            role=form.cleaned_data["role"],
            business_name=form.cleaned_data["business_name"],
            display_name=form.cleaned_data["display_name"],
        )
        messages.success(
            request, _("You now use ModelSnapper as a %(role)s.") % {"role": user.get_role_display().lower()}
        )
        return redirect("accounts:role")
    return render(request, "accounts/role.html", {"form": form})


@login_required
def sessions(request):
    rows = selectors.user_session_list(user=request.user, current_session_key=request.session.session_key)
    return render(
        request,
        "accounts/sessions.html",
        {"sessions": rows, "has_others": any(not row.is_current for row in rows)},
    )


@login_required
@require_POST
def session_end(request, session_id: str):
    session = selectors.user_session_get_for_user(user=request.user, session_id=session_id)
    was_current = session.session_key == request.session.session_key
    services.user_session_end(request=request, sessions=[session])
    if was_current:
        return redirect("account_login")
    messages.success(request, _("That session has been signed out."))
    return redirect("accounts:sessions")


@login_required
@require_POST
def sessions_end_others(request):
    ended = services.user_sessions_end_others(request=request, user=request.user)
    if ended:
        messages.success(
            request,
            ngettext(
                "Signed out of %(count)d other session.", "Signed out of %(count)d other sessions.", ended
            )
            % {"count": ended},
        )
    else:
        messages.info(request, _("There were no other sessions to sign out."))
    return redirect("accounts:sessions")


@login_required
def delete(request):
    user = request.user
    form = DeleteAccountForm(request.POST or None, user=user)
    if request.method == "POST" and form.is_valid():
        services.user_soft_delete(user=user, request=request)
        messages.success(request, _("Your account has been deleted and you have been signed out everywhere."))
        return redirect("home")
    return render(request, "accounts/delete.html", {"form": form})


class SignupView(AllauthSignupView):
    """allauth's sign-up, where losing a race for a username is a form error, not a 500.

    The form checks that the username (and its look-alikes) is free, but two people can
    pass that check at the same moment; the unique index on the username skeleton then
    refuses the second insert. Nothing was written for them, so they simply choose again.

    The new account's language preference starts as the language the sign-up page was shown in,
    so someone who browsed in Spanish does not land in English once signed in.
    """

    def form_valid(self, form):
        try:
            response = super().form_valid(form)
        except IntegrityError:
            form.add_error(
                "username", _("Someone just took that username (or one that looks like it). Choose another.")
            )
            return self.form_invalid(form)
        language = translation.get_language()
        user = getattr(self, "user", None)
        if user is not None and user.pk and offered(language) and user.preferences.language != language:
            user_language_save(user=user, language=language)
        return response
