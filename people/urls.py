from django.contrib import admin
from django.urls import path

from people import language, views

app_name = "people"

urlpatterns = [
    path("invite/", admin.site.admin_view(views.invite_view), name="invite"),
    # Each colleague's own desk language (people/language.py).
    path("language/", admin.site.admin_view(language.language_view), name="language"),
    # The invited colleague has no login yet: these two are open.
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set_password",
    ),
    path(
        "set-password/done/",
        views.SetPasswordDoneView.as_view(),
        name="set_password_done",
    ),
]
