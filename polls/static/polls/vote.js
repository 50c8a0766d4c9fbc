/* socialpoll polls: show a refused vote's answer in place.

   htmx leaves 4xx answers unswapped. The vote view answers a refused htmx vote (400, 403,
   409, 429) with the vote block and its error message, marked with an HX-Reswap header;
   this lets that block replace the old one so the reader sees why. Other error answers
   (e.g. a CSRF failure page) are still left alone. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.isError || !detail.xhr.getResponseHeader("HX-Reswap")) return;
    if (!(detail.target instanceof Element) || !detail.target.closest("#poll-vote")) return;
    detail.shouldSwap = true;
    detail.isError = false;
  });
})();
