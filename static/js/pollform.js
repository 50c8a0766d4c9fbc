/* socialpoll: the poll form. "Maximum choices per voter" counts only for multiple choice,
   so it shows only while "Multiple choice" is ticked (without JavaScript it always shows,
   and its help text says so). */
(function () {
  "use strict";

  function toggle() {
    var multiple = document.getElementById("id_multiple");
    var maximum = document.getElementById("div_id_max_choices");
    if (!multiple || !maximum) return;
    // A field with an error stays in view whatever the box says.
    maximum.hidden = !multiple.checked && !maximum.querySelector(".is-invalid");
  }

  document.addEventListener("change", function (event) {
    if (event.target && event.target.id === "id_multiple") toggle();
  });
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", toggle);
  } else {
    toggle();
  }
})();
