/* The comment form under a cached story page.
 *
 * The page is shared by every reader, so it carries no CSRF token and no form
 * timestamp. When the reader starts writing, fetch both (and the CSRF cookie)
 * from the form's data-token-url; a post sent before they arrive waits for
 * them. Without JavaScript the form stays hidden and the "Write a comment"
 * link leads to the form's own page. */
(function () {
  "use strict";
  var form = document.querySelector("form[data-token-url]");
  if (!form || !window.fetch) {
    return;
  }
  var link = document.querySelector("[data-comment-link]");
  var pending = null;

  function field(name) {
    return form.querySelector('input[name="' + name + '"]');
  }

  function loadToken() {
    if (!pending) {
      pending = window
        .fetch(form.getAttribute("data-token-url"), {
          credentials: "same-origin",
          cache: "no-store",
          headers: { Accept: "application/json" },
        })
        .then(function (response) {
          if (!response.ok) {
            throw new Error("token " + response.status);
          }
          return response.json();
        })
        .then(function (data) {
          field("csrfmiddlewaretoken").value = data.csrfmiddlewaretoken;
          field("issued").value = data.issued;
        })
        .catch(function (error) {
          pending = null;
          throw error;
        });
    }
    return pending;
  }

  form.hidden = false;
  if (link) {
    link.hidden = true;
  }
  form.addEventListener("focusin", function () {
    loadToken().catch(function () {});
  });
  form.addEventListener("submit", function (event) {
    if (field("csrfmiddlewaretoken").value) {
      return;
    }
    event.preventDefault();
    loadToken().then(
      function () {
        form.submit();
      },
      function () {
        /* No token (offline, comments closed): the form's own page explains. */
        if (link) {
          window.location.href = link.querySelector("a").href;
        }
      }
    );
  });
})();
