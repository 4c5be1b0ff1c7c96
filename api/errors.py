"""The API's error answers: one JSON shape (``schemas.Error``), never cached."""

from django.http import JsonResponse
from django.utils.translation import gettext, gettext_lazy, ngettext


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


# Pydantic's checks of the parameters, said in the site's language; a kind not
# named here keeps pydantic's own (English) text.
_WHOLE_NUMBER = gettext_lazy("Enter a whole number.")
_DATE = gettext_lazy("Enter a date as YYYY-MM-DD.")
_DATETIME = gettext_lazy(
    "Enter a date and time in ISO 8601 (2026-12-02T14:05:00+09:00)."
)
PROBLEMS = {
    "missing": gettext_lazy("This parameter is required."),
    "int_parsing": _WHOLE_NUMBER,
    "int_type": _WHOLE_NUMBER,
    "int_from_float": _WHOLE_NUMBER,
    "greater_than_equal": gettext_lazy("Enter a number of at least %(ge)s."),
    "less_than_equal": gettext_lazy("Enter a number of at most %(le)s."),
    "greater_than": gettext_lazy("Enter a number greater than %(gt)s."),
    "less_than": gettext_lazy("Enter a number less than %(lt)s."),
    "literal_error": gettext_lazy("Use one of %(expected)s."),
    "enum": gettext_lazy("Use one of %(expected)s."),
    "bool_parsing": gettext_lazy("Enter true or false."),
    "date_parsing": _DATE,
    "date_from_datetime_parsing": _DATE,
    "date_from_datetime_inexact": _DATE,
    "date_type": _DATE,
    "datetime_parsing": _DATETIME,
    "datetime_from_date_parsing": _DATETIME,
    "datetime_type": _DATETIME,
}


def problem_text(problem: dict) -> str:
    """One of pydantic's errors (``{"type", "msg", "ctx"}``), for the client."""
    kind = problem.get("type", "")
    context = problem.get("ctx") or {}
    if kind in {"string_too_long", "string_too_short"}:
        key = "max_length" if kind == "string_too_long" else "min_length"
        if isinstance(context.get(key), int):
            limit = context[key]
            text = (
                ngettext(
                    "Use at most %(limit)d character.",
                    "Use at most %(limit)d characters.",
                    limit,
                )
                if kind == "string_too_long"
                else ngettext(
                    "Use at least %(limit)d character.",
                    "Use at least %(limit)d characters.",
                    limit,
                )
            )
            return text % {"limit": limit}
    template = PROBLEMS.get(kind)
    if template is None:
        return str(problem.get("msg", ""))
    values = {name: str(value) for name, value in context.items()}
    if "expected" in values:
        # "'today', '7d' or '30d'": the list without pydantic's English "or".
        values["expected"] = values["expected"].replace("' or '", "', '")
    try:
        return str(template) % values
    except (KeyError, TypeError, ValueError):
        return str(problem.get("msg", ""))
