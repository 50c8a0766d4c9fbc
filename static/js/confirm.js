// "Close now" and "Delete" ask first. Without JavaScript the link opens a confirmation
// page; with it, the same question opens in place as a <dialog> (polls/_confirm_dialog.html).
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var opener = event.target.closest("a[data-confirm]");
    if (opener) {
      var dialog = document.getElementById(opener.getAttribute("data-confirm"));
      if (dialog && typeof dialog.showModal === "function") {
        event.preventDefault();
        dialog.showModal();
        var focus = dialog.querySelector("[data-cancel]");
        if (focus) { focus.focus(); }
      }
      return;
    }
    var cancel = event.target.closest("dialog [data-cancel]");
    if (cancel) {
      event.preventDefault();
      cancel.closest("dialog").close();
    }
  });
})();
