/* The story change form: counters, the slug, byline order, tag suggestions,
   the body's word count. A static file (the admin's CSP allows no inline
   script); every part is an addition to a form that works without it.
   The picture block of the body editor is body-figure.js. */
(function () {
  "use strict";

  const SLUG_WORDS = /[^\p{L}\p{M}\p{N}_\s-]/gu;

  /* What articles/slugs.py slug_from() does: Django's slugify(), then cut at
     the last hyphen that fits. */
  function slugFrom(text, limit) {
    let slug = text
      .normalize("NFKC")
      .replace(SLUG_WORDS, "")
      .trim()
      .toLowerCase()
      .replace(/[-\s]+/g, "-")
      .replace(/^[-_]+|[-_]+$/g, "");
    if (slug.length <= limit) return { slug: slug, cut: false };
    const head = slug.slice(0, limit + 1);
    const boundary = head.lastIndexOf("-");
    slug = boundary > 0 ? head.slice(0, boundary) : slug.slice(0, limit);
    return { slug: slug.replace(/^[-_]+|[-_]+$/g, ""), cut: true };
  }

  function liveRegion() {
    let region = document.getElementById("story-form-status");
    if (!region) {
      region = document.createElement("p");
      region.id = "story-form-status";
      region.className = "visually-hidden";
      region.setAttribute("role", "status");
      document.body.append(region);
    }
    return region;
  }

  function announce(text) {
    liveRegion().textContent = text;
  }

  /* Counters: "37 / 200 characters", and a plain warning past the limit.
     The field is never cut: the server refuses more and says why. */
  function counters() {
    for (const field of document.querySelectorAll("[data-limit]")) {
      const limit = Number(field.dataset.limit);
      const counter = document.createElement("p");
      counter.className = "char-counter";
      counter.id = field.id + "-counter";
      field.after(counter);
      const described = field.getAttribute("aria-describedby");
      field.setAttribute(
        "aria-describedby",
        (described ? described + " " : "") + counter.id
      );
      let wasOver = false;
      const update = function () {
        const length = [...field.value].length;
        const over = length > limit;
        counter.textContent = over
          ? `${length} / ${limit} characters: ${length - limit} too many. ` +
            "Shorten it; nothing is cut for you."
          : `${length} / ${limit} characters`;
        counter.classList.toggle("is-over", over);
        counter.classList.toggle("is-near", !over && length > limit * 0.9);
        field.toggleAttribute("aria-invalid", over);
        if (over !== wasOver) {
          announce(
            over
              ? `Over the limit of ${limit} characters.`
              : `Within the limit of ${limit} characters.`
          );
          wasOver = over;
        }
      };
      field.addEventListener("input", update);
      update();
    }
  }

  /* The slug follows the headline until the editor types one. */
  function slugFromHeadline() {
    const headline = document.getElementById("id_headline");
    const slug = document.getElementById("id_slug");
    if (!headline || !slug || slug.readOnly) return;
    const limit = Number(slug.dataset.fromHeadline || 80);
    const note = document.createElement("p");
    note.className = "slug-note help";
    note.id = "id_slug-note";
    slug.after(note);
    let touched = slug.value !== "" && slug.value !== slugFrom(headline.value, limit).slug;
    const follow = function () {
      if (touched) {
        note.textContent = "";
        return;
      }
      const made = slugFrom(headline.value, limit);
      slug.value = made.slug;
      note.textContent = made.cut
        ? `Made from the headline and cut between words at ${limit} characters. Edit it if you like.`
        : "";
    };
    // The box grows with the headline: all of it in view, on a phone too.
    const grow = function () {
      if (headline.tagName !== "TEXTAREA") return;
      headline.style.height = "auto";
      headline.style.height = `${headline.scrollHeight + 4}px`;
    };
    headline.addEventListener("input", grow);
    window.addEventListener("resize", grow);
    grow();
    // A headline is one line, even in its two-line box.
    headline.addEventListener("keydown", function (event) {
      if (event.key === "Enter") event.preventDefault();
    });
    headline.addEventListener("input", function () {
      if (/[\r\n]/.test(headline.value)) {
        headline.value = headline.value.replace(/\s*[\r\n]+\s*/g, " ");
      }
      follow();
    });
    slug.addEventListener("input", function () {
      touched = slug.value !== "";
      if (!touched) follow();
      else note.textContent = "";
    });
    follow();
  }

  /* Bylines: drag by the handle, or the up / down buttons; the hidden order
     numbers are written from the rows' places. */
  function bylines() {
    const group = document.getElementById("bylines-group");
    if (!group) return;
    const tbody = group.querySelector("tbody");
    group.classList.add("js-ordered");
    const rows = () =>
      [...tbody.querySelectorAll("tr.form-row")].filter(
        (row) => !row.classList.contains("empty-form")
      );
    const nameOf = function (row) {
      const select = row.querySelector(".field-author select");
      const option = select && select.selectedOptions[0];
      return option && option.value ? option.textContent.trim() : "this byline";
    };
    const chosen = function (row) {
      const select = row.querySelector(".field-author select");
      return Boolean(select && select.value);
    };
    const renumber = function () {
      let place = 0;
      rows().forEach(function (row, index) {
        const order = row.querySelector("input.byline-order");
        // A blank extra row keeps its first value: a changed order would make
        // Django treat it as filled in and ask for its author.
        if (order) order.value = chosen(row) ? String(place++) : order.defaultValue;
        for (const button of row.querySelectorAll(".byline-up, .byline-down")) {
          const up = button.classList.contains("byline-up");
          button.disabled = up ? index === 0 : index === rows().length - 1;
          button.setAttribute(
            "aria-label",
            `${up ? "Move up" : "Move down"}: ${nameOf(row)}`
          );
        }
      });
    };
    const moved = function (row, button) {
      renumber();
      const list = rows();
      announce(`${nameOf(row)} is now byline ${list.indexOf(row) + 1} of ${list.length}.`);
      if (button && !button.disabled) button.focus();
    };
    let dragged = null;
    const enhance = function (row) {
      const cell = row.querySelector("td.byline-move");
      if (!cell || cell.querySelector(".byline-handle")) return;
      const handle = document.createElement("span");
      handle.className = "byline-handle";
      handle.title = "Drag to reorder";
      handle.setAttribute("aria-hidden", "true");
      handle.textContent = "⠿";
      const up = document.createElement("button");
      up.type = "button";
      up.className = "byline-up";
      up.textContent = "↑";
      const down = document.createElement("button");
      down.type = "button";
      down.className = "byline-down";
      down.textContent = "↓";
      cell.prepend(handle, up, down);
      up.addEventListener("click", function () {
        const previous = row.previousElementSibling;
        if (previous && previous.matches("tr.form-row")) previous.before(row);
        moved(row, up);
      });
      down.addEventListener("click", function () {
        const next = row.nextElementSibling;
        if (next && next.matches("tr.form-row:not(.empty-form)")) next.after(row);
        moved(row, down);
      });
      handle.addEventListener("mousedown", () => (row.draggable = true));
      row.addEventListener("dragstart", function (event) {
        if (!row.draggable) return;
        dragged = row;
        row.classList.add("is-dragged");
        event.dataTransfer.effectAllowed = "move";
        event.dataTransfer.setData("text/plain", row.id);
      });
      row.addEventListener("dragend", function () {
        row.draggable = false;
        row.classList.remove("is-dragged");
        if (dragged) moved(dragged);
        dragged = null;
      });
      row.addEventListener("select", renumber);
      row.addEventListener("change", renumber);
    };
    tbody.addEventListener("dragover", function (event) {
      if (!dragged) return;
      const target = event.target.closest("tr.form-row");
      if (!target || target === dragged || target.classList.contains("empty-form")) {
        return;
      }
      event.preventDefault();
      const box = target.getBoundingClientRect();
      if (event.clientY < box.top + box.height / 2) target.before(dragged);
      else target.after(dragged);
    });
    tbody.addEventListener("drop", (event) => event.preventDefault());
    /* Select2 names its combobox by the chosen author only: nothing before
       one is chosen. Name it "Author" plus the choice. */
    const nameAuthorBoxes = function () {
      for (const box of group.querySelectorAll(".field-author .select2-selection")) {
        const rendered = box.querySelector(".select2-selection__rendered");
        if (!rendered || !rendered.id) continue;
        const names = `bylines-author-label ${rendered.id}`;
        box.setAttribute("aria-labelledby", names);
        rendered.setAttribute("aria-labelledby", names);
      }
    };
    new MutationObserver(nameAuthorBoxes).observe(group, {
      childList: true,
      subtree: true,
    });
    nameAuthorBoxes();
    rows().forEach(enhance);
    renumber();
    document.addEventListener("formset:added", function (event) {
      if (event.detail && event.detail.formsetName !== "bylines") return;
      const row = event.target.closest ? event.target.closest("tr.form-row") : null;
      if (row) enhance(row);
      renumber();
    });
    document.addEventListener("formset:removed", renumber);
    const form = group.closest("form");
    if (form) form.addEventListener("submit", renumber);
  }

  /* Tag suggestions: a combobox over the comma-separated box. */
  function tagSuggestions(url) {
    const input = document.getElementById("id_tags");
    if (!input || !url || input.readOnly) return;
    const list = document.createElement("ul");
    list.id = "id_tags-suggestions";
    list.className = "tag-suggestions";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", "Existing tags");
    list.hidden = true;
    // Under the box, whatever the admin's layout around it.
    const anchor = document.createElement("div");
    anchor.className = "tag-suggestions-anchor";
    input.before(anchor);
    anchor.append(input, list);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", list.id);
    let active = -1;
    let timer = null;
    let asked = "";
    const fragment = () => input.value.split(",").pop().trim();
    const close = function () {
      list.hidden = true;
      list.replaceChildren();
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    };
    const choose = function (name) {
      const parts = input.value.split(",");
      parts.pop();
      const quoted = name.includes(",") ? `"${name}"` : name;
      parts.push((parts.length ? " " : "") + quoted);
      input.value = parts.join(",") + ", ";
      close();
      input.focus();
    };
    const highlight = function (index) {
      const options = [...list.children];
      if (!options.length) return;
      active = (index + options.length) % options.length;
      options.forEach((option, i) => option.setAttribute("aria-selected", String(i === active)));
      input.setAttribute("aria-activedescendant", options[active].id);
    };
    const show = function (names) {
      const existing = new Set(
        input.value.split(",").map((part) => part.trim().toLowerCase())
      );
      names = names.filter((name) => !existing.has(name.toLowerCase()) || name.toLowerCase() === fragment().toLowerCase());
      if (!names.length) return close();
      list.replaceChildren(
        ...names.map(function (name, index) {
          const option = document.createElement("li");
          option.id = `id_tags-suggestion-${index}`;
          option.setAttribute("role", "option");
          option.setAttribute("aria-selected", "false");
          option.textContent = name;
          option.addEventListener("mousedown", function (event) {
            event.preventDefault();
            choose(name);
          });
          return option;
        })
      );
      list.hidden = false;
      active = -1;
      input.setAttribute("aria-expanded", "true");
    };
    input.addEventListener("input", function () {
      const query = fragment();
      clearTimeout(timer);
      if (!query) return close();
      timer = setTimeout(function () {
        asked = query;
        fetch(`${url}?q=${encodeURIComponent(query)}`, {
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
          .then((response) => (response.ok ? response.json() : { tags: [] }))
          .then(function (data) {
            if (asked === fragment()) show(data.tags || []);
          })
          .catch(close);
      }, 150);
    });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) return;
      if (event.key === "ArrowDown") {
        event.preventDefault();
        highlight(active + 1);
      } else if (event.key === "ArrowUp") {
        event.preventDefault();
        highlight(active - 1);
      } else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        choose(list.children[active].textContent);
      } else if (event.key === "Escape") {
        close();
      }
    });
    input.addEventListener("blur", () => setTimeout(close, 100));
  }

  /* Word count and reading time under the body, as the editor types. */
  function bodyStats() {
    const body = document.getElementById("id_body");
    const stats = document.getElementById("body-stats");
    if (!body || !stats) return;
    const perMinute = Number(stats.dataset.wordsPerMinute || 230);
    const update = function () {
      const text = body.value.replace(/<[^>]+>/g, " ");
      const words = text.split(/\s+/).filter(Boolean).length;
      const minutes = words ? Math.max(1, Math.round(words / perMinute)) : 0;
      stats.textContent = words
        ? `${words} word${words === 1 ? "" : "s"} · about ${minutes} min read`
        : "0 words";
    };
    body.addEventListener("input", update);
  }

  function start() {
    const urls = document.getElementById("body-figure-dialog");
    counters();
    slugFromHeadline();
    bylines();
    tagSuggestions(urls ? urls.dataset.suggestUrl : "");
    bodyStats();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
