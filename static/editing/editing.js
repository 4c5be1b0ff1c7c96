/* The story form's autosave and edit lock (templates/editing/panel.html).

   Autosave: a few seconds after the user stops typing (and at least every
   so often while they type), and when the page is hidden or left, the form's
   fields are posted as the user's autosave; on opening the form a newer
   autosave is offered back ("Restore" / "Discard").

   Lock: opening a story's form takes its lock; a heartbeat keeps it; leaving
   the page releases it. A colleague's lock is shown, with "Take over
   editing" for Editors; after a takeover the previous holder's page says so
   at its next heartbeat and stops, leaving the form as it is.

   Every request is a same-origin POST with the form's CSRF token. */
(function () {
  "use strict";

  const panel = document.getElementById("editing-panel");
  const form = document.getElementById("article_form");
  if (!panel || !form) return;

  const data = panel.dataset;
  const statusLine = document.getElementById("editing-status");
  // Neither counters, buttons, files nor hidden fields: the formsets' hidden
  // counters and ids belong to the rows the page drew, not the autosave.
  const SKIPPED_NAME = /^(csrfmiddlewaretoken|_.*)$|__prefix__|-(TOTAL|INITIAL|MIN_NUM|MAX_NUM)_FORMS$/;
  const SKIPPED_TYPE = new Set(["file", "submit", "button", "reset", "image", "password", "hidden"]);

  function csrfToken() {
    const input = form.querySelector("input[name=csrfmiddlewaretoken]");
    return input ? input.value : "";
  }

  function post(url, body, keepalive) {
    const headers = { "X-CSRFToken": csrfToken(), Accept: "application/json" };
    if (body !== undefined) headers["Content-Type"] = "application/json";
    return fetch(url, {
      method: "POST",
      credentials: "same-origin",
      keepalive: Boolean(keepalive),
      headers: headers,
      body: body === undefined ? undefined : body,
    });
  }

  function say(text) {
    if (statusLine) statusLine.textContent = text;
  }

  /* The form's fields ------------------------------------------------------ */

  function fieldsOf() {
    const fields = {};
    const labels = {};
    for (const element of form.elements) {
      const name = element.name;
      if (!name || element.disabled || SKIPPED_NAME.test(name)) continue;
      if (SKIPPED_TYPE.has(element.type)) continue;
      if (element.closest(".empty-form")) continue;
      if (element.type === "checkbox") {
        fields[name] = element.checked;
      } else if (element.type === "radio") {
        if (element.checked) fields[name] = element.value;
      } else if (element.type === "select-multiple") {
        fields[name] = [...element.selectedOptions].map((option) => option.value);
      } else if (element.type === "select-one") {
        fields[name] = element.value;
        const option = element.selectedOptions[0];
        if (option && option.value) {
          labels[name] = option.textContent.trim().slice(0, 300);
        }
      } else {
        fields[name] = element.value;
      }
    }
    // The story's version this was typed on (a hidden field, kept apart):
    // restored with the text, so saving text typed on an older version
    // meets the conflict screen instead of going over a colleague's save.
    const version = versionInput();
    if (version) fields[VERSION] = version.value;
    return { fields: fields, labels: labels };
  }

  const VERSION = "version";

  function versionInput() {
    return form.querySelector(`input[type=hidden][name=${VERSION}]`);
  }

  function bodyEditor(textarea) {
    // The editor's own view (the menu bar has ProseMirror pickers too).
    const wrapper = textarea.closest(".prose-editor");
    if (!wrapper) return null;
    const view = [...wrapper.querySelectorAll(".ProseMirror")].find((node) => node.editor);
    return view ? view.editor : null;
  }

  function fire(element, type) {
    element.dispatchEvent(new Event(type, { bubbles: true }));
  }

  function setField(element, value, label) {
    if (element.type === "checkbox") {
      element.checked = Boolean(value);
      fire(element, "change");
      return;
    }
    if (element.type === "radio") {
      element.checked = element.value === value;
      if (element.checked) fire(element, "change");
      return;
    }
    if (element.tagName === "SELECT") {
      const values = Array.isArray(value) ? value : [value];
      for (const wanted of values) {
        // A choice the form loads on demand (the byline's author) is added.
        const known = [...element.options].some((option) => option.value === wanted);
        if (!known && wanted && label) element.add(new Option(label, wanted, true, true));
      }
      for (const option of element.options) option.selected = values.includes(option.value);
      fire(element, "change");
      if (window.django && window.django.jQuery) {
        window.django.jQuery(element).trigger("change"); // Select2 redraws
      }
      return;
    }
    const editor = element.tagName === "TEXTAREA" ? bodyEditor(element) : null;
    if (editor) {
      editor.commands.setContent(value || "");
      const html = editor.getHTML();
      element.value = /^<(\w+)(\s[^>]*)?><\/\1>$/i.test(html) ? "" : html;
    } else {
      element.value = value;
    }
    fire(element, "input");
    fire(element, "change");
  }

  function elementsNamed(name) {
    return [...form.elements].filter(
      (element) => element.name === name && !element.closest(".empty-form")
    );
  }

  function restore(saved) {
    const version = versionInput();
    if (version && typeof saved.fields[VERSION] === "string") {
      version.value = saved.fields[VERSION];
    }
    for (const [name, value] of Object.entries(saved.fields)) {
      if (name === VERSION) continue;
      for (const element of elementsNamed(name)) {
        if (SKIPPED_TYPE.has(element.type)) continue;
        setField(element, value, saved.labels ? saved.labels[name] : "");
      }
    }
  }

  function differs(saved) {
    const now = fieldsOf().fields;
    return Object.entries(saved.fields).some(
      ([name, value]) =>
        name !== VERSION && name in now && JSON.stringify(now[name]) !== JSON.stringify(value)
    );
  }

  /* Autosave ------------------------------------------------------------- */

  const quietMs = Number(data.autosaveSeconds || 3) * 1000;
  const maxWaitMs = Number(data.autosaveMaxWait || 15) * 1000;
  let lastSent = null;
  let quietTimer = null;
  let firstUnsaved = null;
  let submitting = false;
  let autosaveStopped = false;

  function sendAutosave(keepalive) {
    clearTimeout(quietTimer);
    quietTimer = null;
    firstUnsaved = null;
    if (submitting || autosaveStopped || !data.autosaveUrl) return;
    const body = JSON.stringify(fieldsOf());
    if (body === lastSent) return;
    lastSent = body;
    // Browsers cap a keepalive request at 64 KB, in bytes (Korean copy takes
    // three per character): a larger one goes as a plain request.
    post(data.autosaveUrl, body, keepalive && new TextEncoder().encode(body).length < 60000)
      .then(function (response) {
        if (response.ok) return response.json().then((answer) => say(answer.message));
        if (response.status === 403 || response.status === 404) autosaveStopped = true;
        lastSent = null;
        return response
          .json()
          .then((answer) =>
            say(
              interpolate(
                gettext("Not autosaved: %(reason)s"),
                { reason: answer.error || response.statusText },
                true
              )
            )
          )
          .catch(() => say(gettext("Not autosaved: the server refused it.")));
      })
      .catch(function () {
        lastSent = null;
        if (!keepalive) {
          say(gettext("Not autosaved: no connection. Your text is still in the form."));
        }
      });
  }

  function typed() {
    if (submitting) return;
    const now = Date.now();
    if (firstUnsaved === null) firstUnsaved = now;
    clearTimeout(quietTimer);
    if (now - firstUnsaved >= maxWaitMs) {
      sendAutosave(false);
      return;
    }
    quietTimer = setTimeout(() => sendAutosave(false), quietMs);
  }

  function offerRestore() {
    const script = document.getElementById("editing-autosave-data");
    const banner = document.getElementById("editing-restore");
    if (!script || !banner) return;
    const saved = JSON.parse(script.textContent);
    if (!differs(saved)) return; // nothing to add to what the form shows
    banner.hidden = false;
    say(
      interpolate(
        gettext(
          "You have unsaved work from %(label)s: restore or discard it at the top of the form."
        ),
        { label: saved.label },
        true
      )
    );
    const first = form.querySelector("#id_headline") || form.querySelector("input, textarea");
    banner.querySelector("[data-editing-restore]").addEventListener("click", function () {
      restore(saved);
      banner.hidden = true;
      lastSent = null;
      say(
        interpolate(
          gettext("Restored your unsaved work from %(label)s. Save the story to keep it."),
          { label: saved.label },
          true
        )
      );
      if (first) first.focus();
    });
    banner.querySelector("[data-editing-discard]").addEventListener("click", function () {
      post(data.discardUrl).then(function (response) {
        say(
          response.ok
            ? gettext("Discarded the autosaved work.")
            : gettext("The autosave could not be discarded.")
        );
      });
      banner.hidden = true;
      if (first) first.focus();
    });
  }

  /* The lock ------------------------------------------------------------- */

  const lockBox = document.getElementById("editing-lock");
  const lockMessage = document.getElementById("editing-lock-message");
  const takeOverForm = lockBox ? lockBox.querySelector(".editing-lock__take-over") : null;
  let heartbeatTimer = null;
  let holding = false;

  function showLock(answer) {
    if (!lockBox) return;
    const previous = lockBox.dataset.state;
    lockBox.dataset.state = answer.state;
    holding = answer.state === "held";
    lockBox.classList.toggle("is-locked", answer.state === "locked");
    lockBox.classList.toggle("is-taken", answer.state === "taken");
    lockBox.classList.toggle("is-held", holding);
    if (takeOverForm) takeOverForm.hidden = !answer.can_take_over;
    if (holding && (previous === undefined || previous === "held") && !answer.took_over) {
      // Holding the lock is the usual case: nothing to say.
      lockBox.hidden = true;
      lockMessage.textContent = "";
      return;
    }
    let message = answer.message;
    if (holding && previous === "locked") {
      message = gettext(
        "The story is free now and you are editing it. Reload the form first if a colleague saved changes meanwhile."
      );
    }
    lockBox.hidden = false;
    if (lockMessage.textContent !== message) lockMessage.textContent = message;
    if (answer.state === "taken" && previous !== "taken") {
      clearInterval(heartbeatTimer);
      heartbeatTimer = null;
      // Kept in view wherever the editor is in the form, until they dock it.
      lockBox.classList.add("is-floating");
      document.body.classList.add("editing-taken-over");
      const dock = lockBox.querySelector(".editing-lock__dock");
      if (dock) {
        dock.hidden = false;
        dock.addEventListener("click", function () {
          lockBox.classList.remove("is-floating");
          document.body.classList.remove("editing-taken-over");
          dock.hidden = true;
          lockMessage.setAttribute("tabindex", "-1");
          lockMessage.focus();
        });
      }
    }
  }

  function lockRequest(url) {
    return post(url)
      .then(function (response) {
        if (response.ok) return response.json().then(showLock);
        if (response.status === 403 || response.status === 404) stopHeartbeat();
        return null;
      })
      .catch(() => null); // offline for a moment: the next heartbeat tries again
  }

  function startHeartbeat() {
    if (!data.heartbeatUrl || heartbeatTimer) return;
    const every = Number(data.heartbeatSeconds || 20) * 1000;
    heartbeatTimer = setInterval(() => lockRequest(data.heartbeatUrl), every);
  }

  function stopHeartbeat() {
    clearInterval(heartbeatTimer);
    heartbeatTimer = null;
  }

  function takeLock() {
    if (!data.takeUrl) return;
    lockRequest(data.takeUrl).then(function () {
      if (!lockBox || lockBox.dataset.state !== "taken") startHeartbeat();
    });
  }

  if (takeOverForm) {
    takeOverForm.addEventListener("submit", function (event) {
      event.preventDefault();
      post(data.takeOverUrl).then(function (response) {
        if (!response.ok) {
          say(gettext("The lock could not be taken over: reload the page and try again."));
          return;
        }
        return response.json().then(function (answer) {
          showLock(answer);
          startHeartbeat();
          const first = form.querySelector("#id_headline");
          if (first) first.focus();
        });
      });
    });
  }

  /* Wiring --------------------------------------------------------------- */

  function start() {
    lastSent = JSON.stringify(fieldsOf());
    offerRestore();
    form.addEventListener("input", typed);
    form.addEventListener("change", typed);
    form.addEventListener("submit", function () {
      // The save keeps the text; an autosave sent now would outlive it.
      submitting = true;
      clearTimeout(quietTimer);
    });
    document.addEventListener("visibilitychange", function () {
      if (document.visibilityState === "hidden") sendAutosave(true);
    });
    window.addEventListener("pagehide", function () {
      sendAutosave(true);
      if (holding && data.releaseUrl) {
        post(data.releaseUrl, undefined, true).catch(() => null);
        holding = false;
      }
      stopHeartbeat();
    });
    window.addEventListener("pageshow", function (event) {
      // Back from the browser's page cache: the form is open again.
      if (event.persisted) {
        submitting = false;
        takeLock();
      }
    });
    takeLock();
  }

  // The body editor starts as a module, after this script: wait for it, so
  // its field holds what the page drew before the first comparison.
  function whenEditorReady(callback) {
    const body = form.querySelector("textarea[data-django-prose-editor-configurable]");
    if (!body || bodyEditor(body)) return callback();
    let done = false;
    const once = function () {
      if (done) return;
      done = true;
      callback();
    };
    document.addEventListener("prose-editor:ready", once, { once: true });
    setTimeout(once, 3000); // an editor that failed to start: go on without it
  }

  function ready() {
    whenEditorReady(start);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", ready);
  } else {
    ready();
  }
})();
