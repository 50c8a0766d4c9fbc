// "Copy link" buttons: without JavaScript the link is a read-only field to select and copy;
// with it, a button copies it and a status line (role="status") says so.
(function () {
  "use strict";
  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) {
      return;
    }
    var status = button.closest("section").querySelector("[data-copy-status]");
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () { status.textContent = "Link copied."; },
        function () {
          field.select();
          status.textContent = "Copying was refused; the link is selected, copy it with Ctrl+C.";
        }
      );
    });
  }
  function focusSelects(field) {
    field.addEventListener("focus", function () { field.select(); });
  }
  document.querySelectorAll("button[data-copy]").forEach(setUp);
  document.querySelectorAll("[data-copy-source]").forEach(focusSelects);
})();
