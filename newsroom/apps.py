from django.contrib.admin.apps import AdminConfig
from django.templatetags.static import static
from django.utils.html import format_html
from django.utils.translation import pgettext_lazy

# The words a yes/no column's picture is read as. Django writes its Python
# value ("True", "False", "None") in English whatever the desk's language.
BOOLEAN_WORDS = {
    True: pgettext_lazy("a yes/no column", "Yes"),
    False: pgettext_lazy("a yes/no column", "No"),
    None: pgettext_lazy("a yes/no column", "Unknown"),
}
BOOLEAN_ICONS = {True: "yes", False: "no", None: "unknown"}


def boolean_icon(value):
    """Django's yes/no picture (``admin_list._boolean_icon``), its text in
    the desk's language."""
    return format_html(
        '<img src="{}" alt="{}">',
        static(f"admin/img/icon-{BOOLEAN_ICONS[value]}.svg"),
        BOOLEAN_WORDS[value],
    )


class DeskAdminConfig(AdminConfig):
    """Django's admin, with the newsroom's desk as the default site
    (``newsroom.admin.DeskSite``): every ``admin.register`` lands there."""

    default_site = "newsroom.admin.DeskSite"

    def ready(self):
        super().ready()
        # Read by the admin's lists, read-only fields and display_for_value
        # at each call (django.contrib.admin.utils imports it there).
        from django.contrib.admin.templatetags import admin_list

        admin_list._boolean_icon = boolean_icon
