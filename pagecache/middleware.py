"""Serving reader pages from the page cache.

``PageCacheMiddleware`` answers hits before the session, CSRF, auth, messages
and Axes middleware and before URL dispatch; a miss is rendered by the view
(``process_view``, once the inner middleware has read the request) and stored
once the inner middleware has finished with the response. Only views that
``articles.http.reader_page`` marked are cached, under the query parameters
they declare (``docs/pagecache.md``).
"""

import functools

from django.core.exceptions import ImproperlyConfigured
from django.db import DatabaseError
from django.urls import Resolver404, get_resolver, get_urlconf

from articles import fragments
from newsroom import metrics, replicas
from pagecache import locks, store
from pagecache.signals import page_rendered
from pagecache.versions import enabled


def unbounded_params(query_params) -> set[str]:
    """Parameters whose values the cache cannot bound (not in ``QUERY_PARAMS``)."""
    return set(query_params) - store.QUERY_PARAMS.keys()


def reader_page_params(request):
    """The query parameters of the reader page at this address, or None."""
    return _params_at(get_resolver(get_urlconf()), request.path_info)


@functools.lru_cache(maxsize=4096)
def _params_at(resolver, path):
    """Remembered per URLconf and address (the least recently used go first),
    so a hit does not walk the URL patterns."""
    try:
        func = resolver.resolve(path).func
    except Resolver404:
        return None
    return getattr(func, "reader_page_params", None)


def serve(request, view, args, kwargs, query_params):
    """The page for an anonymous reader: from the cache, or rendered by
    ``view`` and stored (by the middleware, once the response is final)."""
    if not store.is_cacheable_request(request):
        response = view(request, *args, **kwargs)
        if request.method in ("GET", "HEAD"):
            store.mark_private(response, "bypass")
        return response
    # What is kept, and the version that says whether it is current, is read
    # from the primary: one read from a lagging replica would outlive the
    # purge that retires it (newsroom/replicas.py). Only the bypass above,
    # rendered for one reader and kept by no one, may read a replica.
    with replicas.primary_reads():
        return _serve_kept(request, view, args, kwargs, query_params)


def _serve_kept(request, view, args, kwargs, query_params):
    key = store.page_key(request, query_params)
    if key is None:
        return store.uncacheable(view(request, *args, **kwargs))
    # The middleware's look-up, when it made one for this same page.
    found = request.__dict__.pop("_page_cache_lookup", None)
    if found is None or found.key != key:
        found = store.lookup(key)
    version, entry = found.settle()
    if version is None:
        return store.mark_private(view(request, *args, **kwargs), "unavailable")
    if entry is not None:
        return store.response_from_entry(request, entry, "hit")
    # One render per page per version: whoever takes the lock renders, the
    # others wait for the entry (docs/pagecache.md, "One render per change").
    lock = locks.RenderLock(key, version)
    if lock.acquire():
        # Another reader may have rendered and stored it since this one
        # looked, and released the lock: check again, now that it is held.
        entry = lock.stored_entry()
    else:
        entry = lock.wait_for_entry()
        if entry is None:
            # The render failed or is taking too long: render it here, holding
            # the lock if it is free now, so that the readers after this wait.
            lock.acquire()
    if entry is not None and store.is_current(entry, version):
        lock.release()
        store.local_pages.put(key, entry)
        return store.response_from_entry(request, entry, "hit")
    try:
        # What the page shows is recorded while it renders (articles.shown);
        # its volatile fragments are left as placeholders (articles.fragments).
        with store.Recording(found) as recording, fragments.deferring():
            response = view(request, *args, **kwargs)
            if callable(getattr(response, "render", None)):
                response = response.render()
    except BaseException:
        lock.release()
        raise
    page_rendered.send(sender=serve, key=key, version=version)
    metrics.PAGE_RENDERS.inc()
    deps = recording.deps()
    if deps is None or not store.is_storable(request, response):
        # deps None: something it shows changed during the render, or the
        # cache could not be read; the page is right, but not stored.
        lock.release()
        return store.uncacheable(response)
    entry = store.make_entry(response, version, found.entry, deps=deps)
    response = store.response_from_entry(request, entry, "miss")
    # Stored, and the lock released, by the middleware once the response is final.
    request._page_cache_pending = (key, entry, response, lock)
    return response


class PageCacheMiddleware:
    """Answer cache hits before the session, CSRF, auth, messages and Axes
    middleware and the view; store what the view rendered once the inner
    middleware has finished with it.

    Belongs right inside the middleware that sets response headers for every
    page (``SecurityMiddleware``, ``ContentSecurityPolicyMiddleware``,
    ``SecurityHeadersMiddleware``, ``XFrameOptionsMiddleware``) so that hits
    carry exactly their headers, and outside everything that reads cookies or
    identifies the reader.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if not enabled() or not store.is_cacheable_request(request):
            return self.get_response(request)
        query_params = reader_page_params(request)
        if query_params is None:
            return self.get_response(request)
        key = store.page_key(request, query_params)
        if key is None:
            return self.get_response(request)
        found = store.lookup(key)
        entry = found.fresh_entry()
        if entry is not None:
            return store.response_from_entry(request, entry, "hit")
        # A miss, or a version to settle: process_view takes it from here.
        request._page_cache_lookup = found
        response = self.get_response(request)
        pending = request.__dict__.pop("_page_cache_pending", None)
        if pending is not None:
            key, entry, built, lock = pending
            try:
                if response is not built or store.is_personal(response):
                    # Something inside replaced it or made it personal after
                    # the view (a cookie, a Vary other than the cache's own).
                    store.mark_private(response, "uncacheable")
                else:
                    store.store(key, entry)
            finally:
                lock.release()
        return response

    def process_view(self, request, view_func, view_args, view_kwargs):
        """Reader pages read with GET or HEAD go through the cache; anything
        else (a POST, a page that is not marked) goes on as usual, through
        the other middleware's ``process_view`` (CSRF's among them)."""
        query_params = getattr(view_func, "reader_page_params", None)
        if query_params is None or request.method not in ("GET", "HEAD"):
            return None
        if not enabled():
            # Not kept here, but public: a CDN in front may keep it.
            replicas.pin_primary()
            return None
        if unbounded_params(query_params):
            raise ImproperlyConfigured(
                f"The page cache cannot bound the values of "
                f"{sorted(unbounded_params(query_params))}: add them to "
                "pagecache.store.QUERY_PARAMS."
            )
        try:
            return serve(request, view_func, view_args, view_kwargs, query_params)
        except DatabaseError:
            # Raised from process_view, a database error would skip every
            # process_exception (the 503 page): let Django call the view as it
            # calls any other (a read-only GET, so running it again is safe).
            request.__dict__.pop("_page_cache_pending", None)
            return None
