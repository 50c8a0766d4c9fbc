/* The presenter view (templates/polls/present.html): keys for the trainer at the projector.

     R  show or hide the results (presses the Show / Hide results button: htmx posts it
        with its CSRF token and swaps the live block and the button in place)
     F  full screen on and off
     Q  hide or show the QR code

   Without JavaScript the button still posts and the page comes back; the other two
   buttons only make sense with a script, so they start hidden and are shown here. */
(function () {
  "use strict";

  function revealForm() {
    return document.getElementById("reveal-form");
  }

  function toggleReveal() {
    var form = revealForm();
    if (!form) return;
    if (typeof form.requestSubmit === "function") form.requestSubmit();
    else form.querySelector("button[type=submit]").click();
  }

  function toggleFullscreen() {
    if (document.fullscreenElement) {
      document.exitFullscreen();
    } else if (document.documentElement.requestFullscreen) {
      document.documentElement.requestFullscreen().catch(function () {});
    }
  }

  function toggleQr(button) {
    var qr = document.getElementById("present-qr");
    if (!qr) return;
    qr.hidden = !qr.hidden;
    button = button || document.querySelector("[data-present=qr]");
    if (button) {
      button.setAttribute("aria-expanded", qr.hidden ? "false" : "true");
      button.lastChild.textContent = qr.hidden ? " Show QR" : " Hide QR";
    }
  }

  function typing(target) {
    return target && target.closest && target.closest("input, textarea, select, [contenteditable]");
  }

  document.addEventListener("keydown", function (event) {
    if (event.ctrlKey || event.metaKey || event.altKey || typing(event.target)) return;
    var key = event.key.toLowerCase();
    if (key === "r") toggleReveal();
    else if (key === "f") toggleFullscreen();
    else if (key === "q") toggleQr();
    else return;
    event.preventDefault();
  });

  document.addEventListener("DOMContentLoaded", function () {
    var buttons = document.querySelectorAll("[data-present]");
    for (var i = 0; i < buttons.length; i++) {
      buttons[i].hidden = false;
      buttons[i].addEventListener("click", function (event) {
        var what = event.currentTarget.getAttribute("data-present");
        if (what === "fullscreen") toggleFullscreen();
        else if (what === "qr") toggleQr(event.currentTarget);
      });
    }
  });
})();
