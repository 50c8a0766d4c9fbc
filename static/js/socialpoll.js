/* socialpoll: keep keyboard and screen-reader users oriented after htmx swaps.

   When htmx replaces the part of the page that held the focus (the vote form, a comment
   form), the browser drops focus to <body> and a keyboard user starts again from the top.
   After a swap the reader asked for, focus moves to the most useful place in the new
   content:
     1. a field marked invalid (the form came back with errors);
     2. an element marked data-focus-after-swap;
     3. the first field of a form that a click just opened in place ("Reply");
     4. if focus was lost: an alert, else the first heading or legend, else the content.
   Periodic refreshes (live results) never move focus. Messages themselves are announced
   by the role="status" region they are swapped into. */
(function () {
  "use strict";

  var USER_EVENTS = ["click", "submit", "keydown", "keyup", "change"];
  var handled = typeof WeakSet === "function" ? new WeakSet() : null;

  function visible(el) {
    return !!(el.offsetWidth || el.offsetHeight || el.getClientRects().length) &&
      !el.closest("[aria-hidden='true'], [hidden]");
  }

  function firstField(root) {
    var fields = root.querySelectorAll(
      "textarea, select, input:not([type=hidden]):not([type=submit]):not([type=button])"
    );
    for (var i = 0; i < fields.length; i++) {
      if (!fields[i].disabled && fields[i].tabIndex !== -1 && visible(fields[i])) {
        return fields[i];
      }
    }
    return null;
  }

  function focusOn(el) {
    if (!el.matches("a[href], button, input, select, textarea, [tabindex]")) {
      el.setAttribute("tabindex", "-1");
    }
    el.focus();
  }

  function pick(root, openedByClick, focusLost) {
    var el = root.querySelector("[aria-invalid='true'], .is-invalid");
    if (el) return el;
    el = root.matches("[data-focus-after-swap]") ? root : root.querySelector("[data-focus-after-swap]");
    if (el) return el;
    if (openedByClick) {
      var form = root.matches("form") ? root : root.querySelector("form");
      if (form && (el = firstField(form))) return el;
    }
    if (!focusLost) return null;
    return root.querySelector("[role=alert]") ||
      root.querySelector("h1, h2, h3, h4, h5, h6, legend") ||
      root;
  }

  document.addEventListener("htmx:afterSettle", function (event) {
    var config = event.detail.requestConfig || {};
    var trigger = config.triggeringEvent;
    if (!trigger || USER_EVENTS.indexOf(trigger.type) === -1) return;
    if (handled) {
      if (handled.has(config)) return;  // out-of-band swaps settle too; act once per request
    }
    var root = event.target;
    if (!(root instanceof Element) || !root.isConnected) return;
    var active = document.activeElement;
    var focusLost = !active || active === document.body || !active.isConnected;
    var openedByClick = trigger.type === "click" && config.verb === "get";
    var el = pick(root, openedByClick, focusLost);
    if (el) {
      if (handled) handled.add(config);
      focusOn(el);
    }
  });
})();

/* socialpoll: show a refused htmx request's answer in place.

   htmx leaves 4xx answers unswapped. Views that answer a refused htmx request with
   content worth showing (a refused vote with its reason, a rate-limited comment with the
   person's text and a "please wait" message) mark that answer with an HX-Reswap header;
   only such answers are swapped. Other error answers (e.g. a CSRF failure page) are not.

   Under DEBUG, `{% htmx_script %}` adds django-htmx's debug script, whose document-level
   htmx:beforeOnLoad listener paints any 400/403/404/500 answer over the whole page (handy
   for a traceback, wrong for a refused vote). A capture listener on window runs before it
   and keeps marked answers from reaching it, so they are swapped in place in DEBUG as in
   production; unmarked errors still reach the debug page. */
(function () {
  "use strict";
  window.addEventListener("htmx:beforeOnLoad", function (event) {
    var xhr = event.detail && event.detail.xhr;
    if (xhr && xhr.status >= 400 && xhr.getResponseHeader("HX-Reswap")) {
      event.stopPropagation();  // htmx itself goes on: it only checks defaultPrevented
    }
  }, true);
  document.addEventListener("htmx:beforeSwap", function (event) {
    var detail = event.detail;
    if (!detail.isError || !detail.xhr.getResponseHeader("HX-Reswap")) return;
    detail.shouldSwap = true;
    detail.isError = false;
  });
})();

/* socialpoll: one reply form at a time. Opening "Reply" under another comment closes the
   form already open, so the page never holds two forms with the same ids. */
(function () {
  "use strict";
  document.addEventListener("htmx:beforeSwap", function (event) {
    var target = event.detail.target;
    if (!(target instanceof Element) || target.id.indexOf("reply-slot-") !== 0) return;
    var slots = document.querySelectorAll(".reply-slot");
    for (var i = 0; i < slots.length; i++) {
      if (slots[i] !== target) slots[i].innerHTML = "";
    }
  });
})();

/* socialpoll: "Cancel" on a reply form opened in place closes it (asking first if the
   person has written something), and gives the focus back to that comment's "Reply".
   Without JavaScript, or on the reply form's own page, Cancel stays a link back to the
   comment. */
(function () {
  "use strict";
  document.addEventListener("click", function (event) {
    var cancel = event.target instanceof Element && event.target.closest(".comment-cancel");
    if (!cancel) return;
    var slot = cancel.closest(".reply-slot");
    if (!slot) return;
    event.preventDefault();
    var body = slot.querySelector("textarea[name=body]");
    if (body && body.value.trim() && !window.confirm("Discard your reply?")) return;
    slot.innerHTML = "";
    var article = slot.closest("article");
    var reply = article && article.querySelector(".comment-reply-link");
    if (reply && reply.closest("article") === article) reply.focus();
  });
})();
