"""Links from entries to their objects' admin pages, when they still exist.

One query per kind of object on the page (not per entry), so the audit log's
list keeps a constant number of queries however many rows it shows.
"""

from collections import defaultdict

from django.core.exceptions import ValidationError
from django.urls import NoReverseMatch, reverse


def attach(entries, admin_site, request) -> None:
    """Set ``entry.admin_url`` on each entry: its object's change page, or
    None (the object is gone, has no admin, or the user may not open it)."""
    by_type = defaultdict(list)
    for entry in entries:
        entry.admin_url = None
        if entry.content_type_id and entry.object_id:
            by_type[entry.content_type_id].append(entry)
    for group in by_type.values():
        model = group[0].content_type.model_class()
        model_admin = admin_site._registry.get(model)
        if model_admin is None or not model_admin.has_view_or_change_permission(
            request
        ):
            continue
        wanted = {}
        for entry in group:
            try:
                wanted[entry] = model._meta.pk.to_python(entry.object_id)
            except ValidationError:
                continue
        found = set(
            model._base_manager.filter(pk__in=set(wanted.values()))
            .order_by()
            .values_list("pk", flat=True)
        )
        opts = model._meta
        for entry, pk in wanted.items():
            if pk not in found:
                continue
            try:
                entry.admin_url = reverse(
                    f"{admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                    args=[pk],
                )
            except NoReverseMatch:
                continue
