"""One process of the SQLite concurrency test (tests/faults/test_sqlite_concurrency.py).

``python -m tests.faults.sqlite_worker seed`` creates a story; ``writer N`` posts
N comments and N views through the real views; ``reader N`` loads N pages.
Prints one line per failed request and exits 1 if there was any.
"""

import os
import sys
import time

import django


def main(role: str, count: int, tag: str) -> int:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tests.faults.server_settings")
    django.setup()
    from django.test import Client

    from articles.models import Article
    from comments.forms import issue_token
    from tests.factories import make_article

    if role == "seed":
        for n in range(3):
            make_article(headline=f"Concurrent story {n}", tags=["busy"])
        return 0

    client = Client(raise_request_exception=False)
    articles = list(Article.objects.order_by("pk"))
    failures = 0
    for n in range(count):
        article = articles[n % len(articles)]
        if role == "writer":
            data = {
                "name": f"Writer {tag}",
                "body": f"Comment {n} from {tag}",
                "email": "",
                "website": "",
                "parent": "",
                "issued": issue_token(article.pk, now=time.time() - 60),
            }
            requests = [
                client.post(
                    f"/comments/post/{article.pk}/", data, REMOTE_ADDR=f"10.{tag}.0.{n}"
                ),
                client.post(
                    f"/views/{article.pk}/",
                    REMOTE_ADDR=f"10.{tag}.1.{n}",
                    HTTP_USER_AGENT="Mozilla/5.0 Firefox/130.0",
                ),
            ]
            expected = [{302}, {204}]
        else:
            requests = [
                client.get("/"),
                client.get(article.get_absolute_url()),
                client.get("/tags/busy/"),
            ]
            expected = [{200}] * 3
        for response, ok in zip(requests, expected, strict=True):
            if response.status_code not in ok:
                failures += 1
                sys.stdout.write(f"{role} {tag}: {response.status_code}\n")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(
        main(
            sys.argv[1],
            int(sys.argv[2]) if len(sys.argv) > 2 else 0,
            sys.argv[3] if len(sys.argv) > 3 else "0",
        )
    )
