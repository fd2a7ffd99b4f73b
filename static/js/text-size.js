// Larger-text mode (大字模式): one click doubles the text of every page; the choice is remembered in this browser.
// Loaded in <head>, before the body exists, so that a remembered choice applies before the first paint (an inline
// script would be refused by the Content-Security-Policy).
(function () {
  "use strict";
  var KEY = "tongxin.largeText";
  var root = document.documentElement;

  function remembered() {
    try { return window.localStorage.getItem(KEY) === "1"; } catch (error) { return false; }
  }

  // With doubled text the sidebar would take a third of a desk screen: below the widest screens it folds into the
  // top bar behind its menu button, as on a phone.
  function apply(on) {
    root.classList.toggle("large-text", on);
    document.querySelectorAll("[data-large-text-toggle]").forEach(function (button) {
      button.setAttribute("aria-pressed", on ? "true" : "false");
    });
    document.querySelectorAll(".navbar-vertical").forEach(function (nav) {
      nav.classList.toggle("navbar-expand-lg", !on);
      nav.classList.toggle("navbar-expand-xxl", on);
    });
  }

  root.classList.toggle("large-text", remembered());
  document.addEventListener("DOMContentLoaded", function () {
    apply(remembered());
    document.querySelectorAll("[data-large-text-toggle]").forEach(function (button) {
      button.addEventListener("click", function () {
        var on = !root.classList.contains("large-text");
        try { window.localStorage.setItem(KEY, on ? "1" : "0"); } catch (error) { /* private mode: this page only */ }
        apply(on);
      });
    });
  });
})();
