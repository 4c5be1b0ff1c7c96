// Two-factor login (templates/twofactor/): after django-otp-webauthn's
// registration script makes a passkey, go on to the page the template names;
// the recovery codes' Print button.
"use strict";

document.addEventListener("otp_webauthn.register_complete", (event) => {
  const box = event.target.closest("[data-done-url]");
  if (box && box.dataset.doneUrl) {
    window.location.assign(box.dataset.doneUrl);
  }
});

for (const button of document.querySelectorAll("[data-twofactor-print]")) {
  button.hidden = false;
  button.addEventListener("click", () => window.print());
}
