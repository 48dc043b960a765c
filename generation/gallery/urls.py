"""Gallery routes, included into the ``generation:`` namespace (history keeps its name and path)."""

from django.urls import path

from generation.gallery import views

urlpatterns = [
    path("history/", views.history, name="history"),
    path("history/bulk/", views.bulk, name="bulk"),
    path("starred/", views.favourites, name="favourites"),
    path("boards/", views.boards, name="boards"),
    path("boards/<str:board_id>/", views.board_detail, name="board"),
    path("boards/<str:board_id>/rename/", views.board_rename, name="board_rename"),
    path("boards/<str:board_id>/delete/", views.board_delete, name="board_delete"),
    path("images/<str:image_id>/star/", views.image_favourite, name="image_favourite"),
    path("images/<str:image_id>/delete/", views.image_delete, name="image_delete"),
    path("jobs/<str:job_id>/delete/", views.job_delete, name="job_delete"),
]
