"""Articles (staff-written pages) and reports of posts, comments and people."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from social import selectors, services
from social.forms import ReportForm
from social.models import Article, Report
from social.services import SocialError
from social.views.common import _cursor


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
            messages.success(request, _("Thanks: our moderators will review it."))
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
