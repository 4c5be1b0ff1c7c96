// The desk's lists: the filter panel stays as the editor left it.
"use strict";
{
    const panel = document.querySelector("details.desk-filters");
    if (panel && window.localStorage) {
        const key = "desk-filters-open:" + window.location.pathname;
        if (!panel.open && localStorage.getItem(key) === "1") {
            panel.open = true;
        }
        panel.addEventListener("toggle", () => {
            localStorage.setItem(key, panel.open ? "1" : "0");
        });
    }
}
// The lists' cards on a phone name a few figures by their column's heading
// (desk.css shows data-label): the heading is already in the desk's language.
{
    const table = document.getElementById("result_list");
    const named = ["report_count", "views_total", "views_week", "is_top_story"];
    if (table) {
        for (const name of named) {
            const heading = table.querySelector(`thead th.column-${name}`);
            const label = heading ? heading.textContent.trim() : "";
            if (!label) {
                continue;
            }
            for (const cell of table.querySelectorAll(`tbody .field-${name}`)) {
                cell.dataset.label = label;
            }
        }
    }
}
// Words of Django's own admin scripts (calendar.js, DateTimeShortcuts.js) that
// its Korean catalogue lacks: named here so that `make messages` keeps them in
// ours, which the desk loads first (templates/admin/base_site.html).
{
    const djangoWords = [
        gettext_noop("%s (today)"),
        gettext_noop("Today (%(date)s)"),
        // django-prose-editor's dialogs (its catalogue has no Korean).
        gettext_noop("Add caption"),
        gettext_noop("Alternative Text"),
        gettext_noop("Browse..."),
        gettext_noop("Bullets"),
        gettext_noop("Caption"),
        gettext_noop("Columns"),
        gettext_noop("Decimal numbers"),
        gettext_noop("Edit Figure"),
        gettext_noop("Edit HTML"),
        gettext_noop("Edit Image"),
        gettext_noop("Edit Link"),
        gettext_noop("Image URL"),
        gettext_noop("Include header row"),
        gettext_noop("Insert Figure"),
        gettext_noop("Insert Table"),
        gettext_noop("Insert"),
        gettext_noop("List type"),
        gettext_noop("Lowercase Roman numerals"),
        gettext_noop("Lowercase letters"),
        gettext_noop("Open in new window"),
        gettext_noop("Prettify"),
        gettext_noop("Remove caption"),
        gettext_noop("Rows"),
        gettext_noop("Start at"),
        gettext_noop("Table Properties"),
        gettext_noop("The HTML contents of the editor. Note that the allowed HTML is restricted by the editor schema."),
        gettext_noop("Title"),
        gettext_noop("Toggle fullscreen"),
        gettext_noop("URL"),
        gettext_noop("Update"),
        gettext_noop("Uppercase Roman numerals"),
        gettext_noop("Uppercase letters"),
        gettext_noop("Cancel"),
    ];
    void djangoWords;
}
