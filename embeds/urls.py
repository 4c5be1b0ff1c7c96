from django.urls import path

from embeds import views

app_name = "embeds"

urlpatterns = [path("oembed", views.oembed, name="oembed")]
