/* socialpoll: a live character counter under comment boxes (textarea[data-maxlength]).

   The box has no maxlength, so nothing a person pastes is ever cut; the server refuses a
   text that is too long, says by how much, and keeps it. The counter shows the count as
   one types ("123 / 5,000 characters", read with the box through aria-describedby). A
   separate polite live region speaks only when the situation changes (close to the limit,
   over it, back within it), once the typing pauses: a screen reader is not told the count
   on every keystroke. */
(function () {
  "use strict";

  var NEAR = 0.9;  // announce "N characters left" from 90 % of the limit
  var PAUSE_MS = 700;

  function format(n) {
    return n.toLocaleString("en");
  }

  function length(text) {
    return Array.from(text.replace(/\r\n/g, "\n")).length;  // as the server counts
  }

  function stateOf(count, limit) {
    if (count > limit) return "over";
    return count >= limit * NEAR ? "near" : "ok";
  }

  function setUp(box) {
    if (box.dataset.counterReady) return;
    box.dataset.counterReady = "1";
    var limit = parseInt(box.dataset.maxlength, 10);
    if (!(limit > 0)) return;
    var counter = document.createElement("div");
    counter.className = "form-text comment-counter";
    counter.id = box.id + "-counter";
    var live = document.createElement("div");
    live.className = "visually-hidden comment-counter-live";
    live.setAttribute("aria-live", "polite");
    box.insertAdjacentElement("afterend", counter);
    counter.insertAdjacentElement("afterend", live);
    var described = (box.getAttribute("aria-describedby") || "").split(/\s+/).filter(Boolean);
    described.push(counter.id);
    box.setAttribute("aria-describedby", described.join(" "));

    var spoken = "ok";
    var timer = null;
    function words(count) {
      if (count > limit) return format(count - limit) + " characters too many";
      return format(limit - count) + " characters left";
    }
    function update() {
      var count = length(box.value);
      var state = stateOf(count, limit);
      counter.textContent = (state === "over" ? words(count) + " · " : "") +
        format(count) + " / " + format(limit) + " characters";
      counter.classList.toggle("text-danger", state === "over");
      window.clearTimeout(timer);
      timer = window.setTimeout(function () {
        var now = stateOf(length(box.value), limit);
        if (now === spoken) return;
        spoken = now;
        live.textContent = now === "ok" ? "Back within the limit." : words(length(box.value)) + ".";
      }, PAUSE_MS);
    }
    box.addEventListener("input", update);
    update();
  }

  function setUpAll(root) {
    var boxes = (root || document).querySelectorAll("textarea[data-maxlength]");
    for (var i = 0; i < boxes.length; i++) setUp(boxes[i]);
  }

  document.addEventListener("htmx:load", function (event) {
    if (event.target instanceof Element) setUpAll(event.target);
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { setUpAll(document); });
  } else {
    setUpAll(document);
  }
})();
