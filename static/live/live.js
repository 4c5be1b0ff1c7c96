// Live coverage: ask the story's updates endpoint every 15 seconds while the
// tab is visible, add the updates this page lacks at the top of the stream,
// and announce them to screen readers. Without JavaScript a reload shows
// them. Same origin only (CSP connect-src 'self'); the answer is cached for
// every reader alike, so polling costs the server a cache hit or a 304.
(function () {
  "use strict";
  var POLL_MS = 15000;
  /* Django's JavaScript catalogue (jsi18n, loaded first); English without it. */
  var gettext = window.gettext || function (text) { return text; };
  var ngettext = window.ngettext || function (one, many, n) { return n === 1 ? one : many; };
  var interpolate = window.interpolate || function (format, values) {
    return format.replace(/%\((\w+)\)s/g, function (match, key) { return String(values[key]); });
  };
  var section = document.querySelector("[data-live-updates]");
  if (!section || !window.fetch) {
    return;
  }
  var url = section.getAttribute("data-live-updates");
  var stream = section.querySelector("[data-live-stream]");
  var announce = section.querySelector("[data-live-announce]");
  var timer = null;
  var stopped = false;

  function known() {
    var ids = {};
    var items = stream.querySelectorAll("[data-update-id]");
    for (var i = 0; i < items.length; i++) {
      ids[items[i].getAttribute("data-update-id")] = true;
    }
    return ids;
  }

  function fromHTML(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.trim();
    return holder.content;
  }

  function replaceContent(selector, html) {
    var box = section.querySelector(selector);
    if (box && box.getAttribute("data-html") !== html) {
      box.replaceChildren(fromHTML(html));
      box.setAttribute("data-html", html);
    }
  }

  // Edited updates (a new version) are replaced; updates missing from the
  // answer are dropped when the answer covers them: all of them when it holds
  // fewer than its limit, else those above the oldest update it holds.
  function reconcile(data) {
    var answered = {};
    data.updates.forEach(function (update) {
      answered[String(update.id)] = update;
    });
    var complete = data.updates.length < data.limit;
    var items = stream.querySelectorAll("[data-update-id]");
    var oldest = data.updates.length
      ? String(data.updates[data.updates.length - 1].id)
      : null;
    var covered = complete;
    var i;
    for (i = items.length - 1; i >= 0; i--) {
      if (items[i].getAttribute("data-update-id") === oldest) {
        covered = true;
        break;
      }
    }
    var last = complete ? items.length : i;
    for (var j = 0; j < items.length; j++) {
      var item = items[j];
      var update = answered[item.getAttribute("data-update-id")];
      if (update) {
        if (item.getAttribute("data-version") !== update.version) {
          item.replaceWith(fromHTML(update.html));
        }
      } else if (covered && j < last) {
        item.remove();
      }
    }
  }

  function apply(data) {
    reconcile(data);
    var have = known();
    var fresh = data.updates.filter(function (update) {
      return !have[String(update.id)];
    });
    // The answer is newest first: insert the oldest new one first.
    for (var i = fresh.length - 1; i >= 0; i--) {
      stream.insertBefore(fromHTML(fresh[i].html), stream.firstChild);
    }
    if (fresh.length) {
      var empty = section.querySelector("[data-live-empty]");
      if (empty) {
        empty.remove();
      }
      announce.textContent = interpolate(
        ngettext("%(count)s new update", "%(count)s new updates", fresh.length),
        { count: fresh.length },
        true
      );
    }
    replaceContent("[data-live-key-points]", data.key_points);
    replaceContent("[data-live-status]", data.status);
    if (data.ended) {
      stopped = true;
      announce.textContent = gettext("Coverage ended");
    }
  }

  function poll() {
    timer = null;
    if (stopped || document.visibilityState !== "visible") {
      return;
    }
    fetch(url, { credentials: "omit", headers: { Accept: "application/json" } })
      .then(function (response) {
        return response.ok ? response.json() : null;
      })
      .then(function (data) {
        if (data) {
          apply(data);
        }
      })
      .catch(function () {
        // Offline or a failed request: try again at the next turn.
      })
      .then(schedule);
  }

  function schedule() {
    if (!stopped && timer === null && document.visibilityState === "visible") {
      timer = window.setTimeout(poll, POLL_MS);
    }
  }

  document.addEventListener("visibilitychange", function () {
    if (document.visibilityState === "visible") {
      // Back on the tab: catch up at once, then every 15 seconds.
      if (timer !== null) {
        window.clearTimeout(timer);
        timer = null;
      }
      poll();
    } else if (timer !== null) {
      window.clearTimeout(timer);
      timer = null;
    }
  });
  schedule();
})();
