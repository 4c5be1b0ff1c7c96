// Swagger UI draws copy buttons without a name and code samples that scroll
// but take no focus: name the buttons and let the keyboard reach the samples,
// as Swagger UI draws them (templates/ninja/swagger.html).
(function () {
  "use strict";
  var root = document.getElementById("swagger-ui");
  if (!root) return;
  function mend() {
    root.querySelectorAll(".copy-to-clipboard > button:not([aria-label])").forEach(function (button) {
      button.setAttribute("aria-label", "Copy to clipboard");
      button.setAttribute("title", "Copy to clipboard");
    });
    root.querySelectorAll(".microlight:not([tabindex]), .highlight-code pre:not([tabindex])").forEach(function (block) {
      block.setAttribute("tabindex", "0");
    });
  }
  new MutationObserver(mend).observe(root, { childList: true, subtree: true });
  mend();
})();
