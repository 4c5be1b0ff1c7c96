/* The newsletter sign-up block under cached section, tag and author pages.
 *
 * The page is shared by every reader, so its form carries no CSRF token.
 * Show the form (readers without JavaScript follow the link to the sign-up
 * page instead) and, when the reader starts typing, fetch a token (and the
 * CSRF cookie) from the form's data-token-url; a submit sent before the
 * token arrives waits for it. The post itself is an ordinary form post:
 * errors come back on the sign-up page, beside their fields, text kept. */
(function () {
  "use strict";

  function setUp(form) {
    var fallback = form.parentNode.querySelector("[data-newsletter-fallback]");
    var field = form.querySelector("input[name=csrfmiddlewaretoken]");
    var pending = null;

    function fetchToken() {
      if (!pending) {
        pending = window
          .fetch(form.getAttribute("data-token-url"), {
            credentials: "same-origin",
            headers: { Accept: "application/json" },
          })
          .then(function (response) {
            if (!response.ok) {
              throw new Error("token " + response.status);
            }
            return response.json();
          })
          .then(function (data) {
            field.value = data.csrfmiddlewaretoken;
          })
          .catch(function (error) {
            pending = null; /* try again at the next submit */
            throw error;
          });
      }
      return pending;
    }

    form.hidden = false;
    if (fallback) {
      fallback.hidden = true;
    }
    form.addEventListener("focusin", function () {
      fetchToken().catch(function () {});
    });
    form.addEventListener("submit", function (event) {
      if (field.value) {
        return;
      }
      event.preventDefault();
      fetchToken().then(
        function () {
          form.submit();
        },
        function () {
          /* No token: the sign-up page works without one from here. */
          window.location.href = fallback
            ? fallback.querySelector("a").href
            : form.action;
        }
      );
    });
  }

  var forms = document.querySelectorAll("form[data-newsletter-form]");
  for (var i = 0; i < forms.length; i += 1) {
    setUp(forms[i]);
  }
})();
