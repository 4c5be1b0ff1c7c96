/* The story change form: counters, the slug, byline order, tag suggestions,
   the body's word count. A static file (the admin's CSP allows no inline
   script); every part is an addition to a form that works without it.
   The picture block of the body editor is body-figure.js. */
(function () {
  "use strict";

  const SLUG_WORDS = /[^\p{L}\p{M}\p{N}_\s-]/gu;
  // Django's JavaScript catalogue (gettext, ngettext, interpolate) is loaded
  // before this script by the admin's base template.
  const format = (text, values) => interpolate(text, values, true);

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
        const figures = { length: length, limit: limit, over: length - limit };
        counter.textContent = over
          ? format(
              gettext(
                "%(length)s / %(limit)s characters: %(over)s too many. Shorten it; nothing is cut for you."
              ),
              figures
            )
          : format(gettext("%(length)s / %(limit)s characters"), figures);
        counter.classList.toggle("is-over", over);
        counter.classList.toggle("is-near", !over && length > limit * 0.9);
        field.toggleAttribute("aria-invalid", over);
        if (over !== wasOver) {
          announce(
            format(
              over
                ? gettext("Over the limit of %(limit)s characters.")
                : gettext("Within the limit of %(limit)s characters."),
              { limit: limit }
            )
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
    // With SLUG_ROMANIZE the server writes the slug (articles/slugs.py).
    if (!headline || !slug || slug.readOnly || slug.dataset.romanize) return;
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
        ? format(
            gettext(
              "Made from the headline and cut between words at %(limit)s characters. Edit it if you like."
            ),
            { limit: limit }
          )
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
      return option && option.value ? option.textContent.trim() : gettext("this byline");
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
            format(up ? gettext("Move up: %(name)s") : gettext("Move down: %(name)s"), {
              name: nameOf(row),
            })
          );
        }
      });
    };
    const moved = function (row, button) {
      renumber();
      const list = rows();
      announce(
        format(gettext("%(name)s is now byline %(place)s of %(count)s."), {
          name: nameOf(row),
          place: list.indexOf(row) + 1,
          count: list.length,
        })
      );
      if (button && !button.disabled) button.focus();
    };
    let dragged = null;
    const enhance = function (row) {
      const cell = row.querySelector("td.byline-move");
      if (!cell || cell.querySelector(".byline-handle")) return;
      const handle = document.createElement("span");
      handle.className = "byline-handle";
      handle.title = gettext("Drag to reorder");
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
    list.setAttribute("aria-label", gettext("Existing tags"));
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
      const count = format(ngettext("%(words)s word", "%(words)s words", words), {
        words: words,
      });
      stats.textContent = words
        ? count + " · " + format(gettext("about %(minutes)s min read"), { minutes: minutes })
        : count;
    };
    body.addEventListener("input", update);
  }

  /* Select2 names a single-choice box by its choice only: an empty "Translation
     of" box has no name. Name it by its field's label, then the choice. */
  function nameChoiceBoxes() {
    const name = function () {
      for (const select of document.querySelectorAll("select.admin-autocomplete:not([multiple])")) {
        const label = document.querySelector(`label[for="${select.id}"]`);
        const wrapper = select.nextElementSibling;
        const box = wrapper && wrapper.querySelector(".select2-selection");
        const rendered = box && box.querySelector(".select2-selection__rendered");
        if (!label || !rendered || !rendered.id) continue;
        if (!label.id) label.id = `${select.id}-label`;
        const names = `${label.id} ${rendered.id}`;
        for (const element of [box, rendered]) {
          if (element.getAttribute("aria-labelledby") !== names) {
            element.setAttribute("aria-labelledby", names);
          }
        }
      }
    };
    const form = document.getElementById("article_form") || document.body;
    new MutationObserver(name).observe(form, { childList: true, subtree: true });
    name();
  }

  /* django-prose-editor names its toolbar's buttons in English, outside
     gettext: name them in the desk's language. The words are listed for
     `make messages` (locale/<language>/LC_MESSAGES/djangojs.po). */
  const PROSE_WORDS = {
    paragraph: gettext_noop("paragraph"),
    "unordered list": gettext_noop("unordered list"),
    "ordered list": gettext_noop("ordered list"),
    "List properties": gettext_noop("List properties"),
    blockquote: gettext_noop("blockquote"),
    "horizontal rule": gettext_noop("horizontal rule"),
    bold: gettext_noop("bold"),
    italic: gettext_noop("italic"),
    underline: gettext_noop("underline"),
    strike: gettext_noop("strike"),
    subscript: gettext_noop("subscript"),
    superscript: gettext_noop("superscript"),
    Code: gettext_noop("Code"),
    "insert link": gettext_noop("insert link"),
    "remove link": gettext_noop("remove link"),
    "Insert table": gettext_noop("Insert table"),
    "Add column": gettext_noop("Add column"),
    "Delete column": gettext_noop("Delete column"),
    "Add row": gettext_noop("Add row"),
    "Delete row": gettext_noop("Delete row"),
    "Merge cells": gettext_noop("Merge cells"),
    "Split cell": gettext_noop("Split cell"),
    "Toggle header cell": gettext_noop("Toggle header cell"),
    "Delete table": gettext_noop("Delete table"),
    undo: gettext_noop("undo"),
    redo: gettext_noop("redo"),
  };

  function nameProseButtons() {
    const name = function () {
      for (const button of document.querySelectorAll(".prose-menubar [title]")) {
        const english = button.dataset.englishTitle || button.getAttribute("title");
        if (!Object.hasOwn(PROSE_WORDS, english)) continue;
        const words = gettext(PROSE_WORDS[english]);
        button.dataset.englishTitle = english;
        if (button.getAttribute("title") !== words) button.setAttribute("title", words);
        if (button.hasAttribute("aria-label") && button.getAttribute("aria-label") !== words) {
          button.setAttribute("aria-label", words);
        }
      }
    };
    const form = document.getElementById("article_form") || document.body;
    new MutationObserver(name).observe(form, { childList: true, subtree: true });
    name();
  }

  function start() {
    const urls = document.getElementById("body-figure-dialog");
    counters();
    slugFromHeadline();
    bylines();
    tagSuggestions(urls ? urls.dataset.suggestUrl : "");
    bodyStats();
    nameChoiceBoxes();
    nameProseButtons();
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
