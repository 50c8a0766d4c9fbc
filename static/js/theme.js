/* Follow the system's light/dark setting with Bootstrap 5.3's data-bs-theme.
   Loaded (not deferred) in <head> so the page never flashes the wrong scheme. No inline
   script: the Content-Security-Policy allows scripts from our own origin only. */
(function () {
  "use strict";
  var media = window.matchMedia ? window.matchMedia("(prefers-color-scheme: dark)") : null;
  function apply() {
    document.documentElement.setAttribute("data-bs-theme", media && media.matches ? "dark" : "light");
  }
  apply();
  if (media && media.addEventListener) {
    media.addEventListener("change", apply);
  }
})();
