"""The API's error answers: one JSON shape (``schemas.Error``), never cached."""

from django.http import JsonResponse
from django.utils.translation import gettext


def error_response(status: int, code: str, message: str, fields=None, **headers):
    body = {"error": code, "message": str(message)}
    if fields:
        body["fields"] = fields
    response = JsonResponse(
        body, status=status, json_dumps_params={"ensure_ascii": False}
    )
    # An error is about this moment (a story not yet published, a full
    # window): no browser or CDN may keep it.
    response["Cache-Control"] = "no-store"
    for name, value in headers.items():
        response[name.replace("_", "-")] = value
    return response


def not_found():
    return error_response(
        404, "not_found", gettext("Nothing was found at this address.")
    )
