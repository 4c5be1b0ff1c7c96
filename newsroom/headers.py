"""The security headers every response carries, in one place.

Pages get them from middleware: Django's ``SecurityMiddleware``,
``ContentSecurityPolicyMiddleware`` and ``XFrameOptionsMiddleware`` from their
settings, ``newsroom.middleware.SecurityHeadersMiddleware`` the ones Django has
no setting for (``extra_headers()``). Static files are answered by WhiteNoise
before the inner three run, so WhiteNoise adds what they would have
(``add_static_headers``, the ``WHITENOISE_ADD_HEADERS_FUNCTION``), from the
same settings and the same values. Imports no app: settings.py imports it.
"""

from django.conf import settings
from django.utils.csp import CSP, build_policy

CROSS_ORIGIN_RESOURCE_POLICY = "same-origin"
PERMISSIONS_POLICY = (
    "camera=(), microphone=(), geolocation=(), payment=(), usb=(), "
    "interest-cohort=(), browsing-topics=()"
)


def extra_headers() -> dict[str, str]:
    """The headers Django has no setting for."""
    return {
        "Cross-Origin-Resource-Policy": CROSS_ORIGIN_RESOURCE_POLICY,
        "Permissions-Policy": PERMISSIONS_POLICY,
    }


def x_frame_options() -> str:
    """As ``XFrameOptionsMiddleware`` sets it."""
    return getattr(settings, "X_FRAME_OPTIONS", "DENY").upper()


def static_headers() -> dict[str, str]:
    """What a page gets from the middleware that WhiteNoise answers before:
    the site's CSP (no nonce: a static file runs no inline script),
    X-Frame-Options and ``extra_headers()``."""
    headers = {}
    if settings.SECURE_CSP:
        headers[str(CSP.HEADER_ENFORCE)] = build_policy(settings.SECURE_CSP)
    if settings.SECURE_CSP_REPORT_ONLY:
        headers[str(CSP.HEADER_REPORT_ONLY)] = build_policy(
            settings.SECURE_CSP_REPORT_ONLY
        )
    headers["X-Frame-Options"] = x_frame_options()
    headers.update(extra_headers())
    return headers


def add_static_headers(headers, path: str, url: str) -> None:
    """WhiteNoise's ``add_headers_function``: called once per file (at start-up,
    or per request with autorefresh) with its ``wsgiref.headers.Headers``."""
    for name, value in static_headers().items():
        if name not in headers:
            headers[name] = value
