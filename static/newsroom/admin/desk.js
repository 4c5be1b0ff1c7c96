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
