"""Under the admin's prefix (``newsroom/urls.py``), behind its login."""

from django.contrib import admin
from django.urls import path

from editing import views

app_name = "editing"

wrap = admin.site.admin_view

urlpatterns = [
    path("autosave/new/", wrap(views.autosave), name="autosave_new"),
    path(
        "autosave/new/discard/",
        wrap(views.discard_autosave),
        name="discard_autosave_new",
    ),
    path("autosave/<int:story_id>/", wrap(views.autosave), name="autosave"),
    path(
        "autosave/<int:story_id>/discard/",
        wrap(views.discard_autosave),
        name="discard_autosave",
    ),
    path("lock/<int:story_id>/take/", wrap(views.take_lock), name="take_lock"),
    path("lock/<int:story_id>/heartbeat/", wrap(views.heartbeat), name="heartbeat"),
    path("lock/<int:story_id>/release/", wrap(views.release_lock), name="release_lock"),
    path("lock/<int:story_id>/take-over/", wrap(views.take_over), name="take_over"),
]
