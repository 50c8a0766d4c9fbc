// The time-zone page offers the browser's own zone (and picks it when none was chosen yet).
(function () {
  "use strict";
  var form = document.getElementById("time-zone-form");
  if (!form || typeof Intl === "undefined") { return; }
  var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  var select = form.querySelector("select[name=time_zone]");
  if (!zone || !select || !select.querySelector('option[value="' + zone + '"]')) { return; }
  var offer = document.getElementById("browser-zone");
  offer.querySelector("[data-zone-name]").textContent = zone;
  offer.hidden = false;
  offer.querySelector("[data-use-browser-zone]").addEventListener("click", function () {
    select.value = zone;
    select.focus();
  });
  if (form.hasAttribute("data-prefer-browser")) { select.value = zone; }
})();
