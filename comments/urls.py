from django.urls import path

from comments import views

app_name = "comments"

urlpatterns = [
    path("write/<int:article_pk>/", views.write_comment, name="write"),
    path("post/<int:article_pk>/", views.post_comment, name="post"),
    path("token/<int:article_pk>/", views.comment_token, name="token"),
    path("<int:pk>/report/", views.report_comment, name="report"),
    path("<int:pk>/report/confirm/", views.confirm_report, name="confirm_report"),
]
