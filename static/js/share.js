// "Copy" buttons (the link, the embed code): without JavaScript the text is a read-only
// field to select and copy; with it, a button copies it, reads "Copied", and the page's
// status region (#messages, role="status", one per page) announces it (visually hidden:
// no jump at the page's top).
(function () {
  "use strict";
  function setUp(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard || !document.getElementById("messages")) {
      return;
    }
    var status = document.getElementById("messages");
    function say(text) {
      var note = document.createElement("div");
      note.className = "visually-hidden";
      note.setAttribute("data-copy-note", "");
      note.textContent = text;
      status.querySelectorAll("[data-copy-note]").forEach(function (old) { old.remove(); });
      status.appendChild(note);
    }
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener("blur", function () { button.textContent = label; });
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          button.textContent = "Copied";
          say(button.getAttribute("data-copied") || "Copied.");
        },
        function () {
          field.select();
          say("Copying was refused; the text is selected, copy it with Ctrl+C.");
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
