from django.urls import path

from viewcounts import views

app_name = "viewcounts"

urlpatterns = [
    path("views/<int:pk>/", views.record_view, name="record_view"),
    path("views/<int:pk>/pixel.gif", views.view_pixel, name="view_pixel"),
]
