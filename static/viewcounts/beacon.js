/* Count a story view with a beacon, so pages served from a cache still count.
 * The endpoint comes from the story's data-view-beacon attribute. A prerendered
 * page waits until the reader actually opens it. */
(function () {
  "use strict";
  var story = document.querySelector("[data-view-beacon]");
  if (!story) {
    return;
  }
  var url = story.getAttribute("data-view-beacon");

  function send() {
    try {
      if (navigator.sendBeacon && navigator.sendBeacon(url)) {
        return;
      }
    } catch (error) {
      /* fall through to fetch */
    }
    if (window.fetch) {
      window.fetch(url, {
        method: "POST",
        keepalive: true,
        credentials: "same-origin",
      }).catch(function () {});
    }
  }

  if (document.prerendering) {
    document.addEventListener("prerenderingchange", send, { once: true });
  } else {
    send();
  }
})();
