/* The print button of the password page (no inline scripts: the pages run under a Content Security Policy). */
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-print-slip]").forEach(function (button) {
      button.addEventListener("click", function () { window.print(); });
    });
  });
})();
