from django.urls import path, register_converter

from articles import converters, views

register_converter(converters.UnicodeSlugConverter, "uslug")
register_converter(converters.TwoDigitConverter, "dd")
register_converter(converters.YearConverter, "yyyy")

app_name = "articles"

urlpatterns = [
    path("", views.HomeView.as_view(), name="home"),
    path(
        "<yyyy:year>/<dd:month>/<dd:day>/<uslug:slug>/",
        views.ArticleDetailView.as_view(),
        name="detail",
    ),
    path("sections/<uslug:slug>/", views.SectionView.as_view(), name="section"),
    path("tags/", views.TagIndexView.as_view(), name="tag_index"),
    path("tags/<uslug:slug>/", views.TagView.as_view(), name="tag"),
    path("authors/", views.AuthorIndexView.as_view(), name="author_index"),
    path("authors/<uslug:slug>/", views.AuthorView.as_view(), name="author"),
]
