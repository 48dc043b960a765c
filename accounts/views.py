from django.shortcuts import get_object_or_404, render

from accounts.models import User


def profile(request, username: str):
    person = get_object_or_404(User.objects.visible(), username=username)
    return render(request, "accounts/profile.html", {"person": person})
