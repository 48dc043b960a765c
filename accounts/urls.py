from django.urls import path

from accounts import views

app_name = "accounts"

urlpatterns = [
    path("u/<str:username>/", views.profile, name="profile"),
    path("settings/", views.settings_index, name="settings"),
    path("settings/profile/", views.profile_edit, name="profile_edit"),
    path("settings/preferences/", views.preferences, name="preferences"),
    path("settings/role/", views.role, name="role"),
    path("settings/sessions/", views.sessions, name="sessions"),
    path("settings/sessions/others/end/", views.sessions_end_others, name="sessions_end_others"),
    path("settings/sessions/<str:session_id>/end/", views.session_end, name="session_end"),
    path("settings/delete/", views.delete, name="delete"),
]
