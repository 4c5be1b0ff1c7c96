// The moderation queue: the row buttons without a reload, and shortcuts.
//
// Without this script each button is a plain POST (form#row-moderation) that
// returns to the list. With it, the same form data goes by fetch() and the
// row shows the outcome: j/k move between comments, a/r/s approve, reject or
// mark as spam the current one.
"use strict";
{
    const form = document.getElementById("row-moderation");
    const live = document.getElementById("desk-live");
    let current = null;

    const rows = () =>
        Array.from(document.querySelectorAll("#result_list tbody tr")).filter(
            (row) => row.querySelector(".desk-mod-buttons"),
        );

    function say(text) {
        if (live) {
            live.textContent = text;
        }
    }

    function select(row, focus) {
        if (current) {
            current.classList.remove("desk-current");
        }
        current = row || null;
        if (current) {
            current.classList.add("desk-current");
            if (focus) {
                const button = current.querySelector(".desk-mod");
                (button || current).focus();
            }
        }
    }

    function move(step) {
        const all = rows();
        if (!all.length) {
            return;
        }
        const index = all.indexOf(current);
        const next = index < 0 ? 0 : Math.min(Math.max(index + step, 0), all.length - 1);
        select(all[next], true);
    }

    function nextOpen(row) {
        const all = rows().filter((r) => !r.classList.contains("desk-done"));
        return all.find((r) => row.compareDocumentPosition(r) & Node.DOCUMENT_POSITION_FOLLOWING) || all[0];
    }

    function setBadges(count) {
        document.querySelectorAll(".desk-badge").forEach((badge) => {
            badge.firstChild.nodeValue = String(count);
            badge.hidden = count === 0;
        });
    }

    function done(row, result) {
        row.classList.add("desk-done");
        const status = row.querySelector(".field-status");
        if (status) {
            status.textContent = result.label;
        }
        const buttons = row.querySelector(".desk-mod-buttons");
        const mark = document.createElement("span");
        mark.className = "desk-mod-done";
        mark.textContent = result.label;
        buttons.replaceWith(mark);
        setBadges(result.pending);
        say(interpolate(
            gettext("Comment %(state)s. %(count)s waiting."),
            {state: result.label.toLowerCase(), count: result.pending},
            true
        ));
    }

    async function send(button) {
        const row = button.closest("tr");
        const buttons = row.querySelectorAll(".desk-mod");
        buttons.forEach((b) => { b.disabled = true; });
        const data = new FormData(form);
        data.set(button.name, button.value);
        try {
            const response = await fetch(button.formAction, {
                method: "POST",
                body: data,
                headers: {Accept: "application/json"},
                credentials: "same-origin",
            });
            if (!response.ok) {
                throw new Error(String(response.status));
            }
            const result = await response.json();
            const following = current === row ? nextOpen(row) : null;
            done(row, result);
            if (following && following !== row) {
                select(following, true);
            }
        } catch (error) {
            buttons.forEach((b) => { b.disabled = false; });
            say(gettext("That did not go through; try again, or reload the list."));
        }
    }

    if (form && window.fetch) {
        form.addEventListener("submit", (event) => {
            const button = event.submitter;
            if (!button || !button.classList.contains("desk-mod")) {
                return;
            }
            event.preventDefault();
            select(button.closest("tr"), false);
            send(button);
        });

        document.addEventListener("keydown", (event) => {
            if (event.altKey || event.ctrlKey || event.metaKey) {
                return;
            }
            const target = event.target;
            if (target.closest("input, textarea, select, [contenteditable]")) {
                return;
            }
            if (event.key === "j") {
                move(1);
            } else if (event.key === "k") {
                move(-1);
            } else if (current && "ars".includes(event.key)) {
                const button = current.querySelector(`.desk-mod[data-shortcut="${event.key}"]`);
                if (button && !button.disabled) {
                    event.preventDefault();
                    button.click();
                }
            } else {
                return;
            }
        });

        document.addEventListener("focusin", (event) => {
            const row = event.target.closest && event.target.closest("#result_list tbody tr");
            if (row && row !== current) {
                select(row, false);
            }
        });
    }
}
