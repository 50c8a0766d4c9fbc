// "Copy link" buttons: without JavaScript the link is a read-only field to select and copy;
// with it, a button copies it, reads "Copied", and the page's status region (#messages,
// role="status", one per page) announces it (visually hidden: no jump at the page's top).
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
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(
        function () {
          button.textContent = "Copied";
          say("Link copied.");
        },
        function () {
          field.select();
          say("Copying was refused; the link is selected, copy it with Ctrl+C.");
        }
      );
    });
  }
  function resetLabel(button) {
    button.addEventListener("blur", function () { button.textContent = "Copy link"; });
  }
  function focusSelects(field) {
    field.addEventListener("focus", function () { field.select(); });
  }
  document.querySelectorAll("button[data-copy]").forEach(setUp);
  document.querySelectorAll("button[data-copy]").forEach(resetLabel);
  document.querySelectorAll("[data-copy-source]").forEach(focusSelects);
})();
