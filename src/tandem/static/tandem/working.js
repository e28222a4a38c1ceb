// Slow forms say they are working: a form with data-working="Working…" shows that text on the
// button it was sent with, and the button cannot be pressed twice. Restored when the browser
// shows the page again from its back-forward cache.
"use strict";
document.addEventListener("submit", (event) => {
  const form = event.target;
  if (!(form instanceof HTMLFormElement) || !form.dataset.working || event.defaultPrevented) {
    return;
  }
  const button = event.submitter || form.querySelector("button[type=submit], button:not([type])");
  form.setAttribute("aria-busy", "true");
  if (!button) {
    return;
  }
  // After this event, so that the button's own name and value are still sent with the form.
  window.setTimeout(() => {
    button.dataset.label = button.textContent;
    button.textContent = form.dataset.working;
    button.classList.add("working");
    button.disabled = true;
  }, 0);
});
window.addEventListener("pageshow", () => {
  for (const form of document.querySelectorAll("form[aria-busy=true]")) {
    form.removeAttribute("aria-busy");
    for (const button of form.querySelectorAll("button.working")) {
      button.textContent = button.dataset.label;
      button.classList.remove("working");
      button.disabled = false;
    }
  }
});
