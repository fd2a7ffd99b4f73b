// The ledger's pages: tabs that follow the URL hash, the reveal dialog, the export links and the full export.
// Loaded by the pages that need it; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  function initTabs() {
    var tabs = document.querySelector("[data-hash-tabs]");
    // Tabler's bundle exposes Bootstrap as window.tabler.bootstrap.
    var bs = (window.tabler && window.tabler.bootstrap) || window.bootstrap;
    if (!tabs || !bs) return;
    function show(hash) {
      var link = /^#[a-z]+$/.test(hash || "") && tabs.querySelector('a[data-bs-toggle="tab"][href="' + hash + '"]');
      if (!link) return;
      bs.Tab.getOrCreateInstance(link).show();
      // On a phone the tab strip scrolls sideways: bring the chosen tab into view.
      link.scrollIntoView({block: "nearest", inline: "nearest"});
    }
    show(window.location.hash);
    window.addEventListener("hashchange", function () { show(window.location.hash); });
    tabs.querySelectorAll('a[data-bs-toggle="tab"]').forEach(function (link) {
      link.addEventListener("shown.bs.tab", function () {
        window.history.replaceState(null, "", link.getAttribute("href"));
      });
    });
  }

  function initReveal() {
    // Revealed values live only while the dialog is open: closing it puts the password form back.
    var modal = document.getElementById("reveal-modal");
    var body = document.getElementById("reveal-body");
    if (!modal || !body) return;
    var original = body.innerHTML;
    modal.addEventListener("hidden.bs.modal", function () {
      body.innerHTML = original;
      if (window.htmx) window.htmx.process(body);
    });
    modal.addEventListener("shown.bs.modal", function () {
      var input = body.querySelector("input[type=password]");
      if (input) input.focus();
    });
  }

  function initExportLinks() {
    // The list filters through htmx, which leaves the page header alone: an export link takes the filter
    // on screen when it is followed, not the one the page was loaded with.
    var filters = document.getElementById("filter-form");
    if (!filters) return;
    document.querySelectorAll("a[data-follow-filter]").forEach(function (link) {
      link.addEventListener("click", function () {
        var query = new URLSearchParams(new FormData(filters)).toString();
        link.href = link.href.split("?")[0] + (query ? "?" + query : "");
      });
    });
  }

  function initFullExport() {
    // The file downloads and the page stays: do not leave the password typed in it.
    var form = document.querySelector("form[data-full-export]");
    if (!form) return;
    form.addEventListener("submit", function () {
      var password = form.querySelector("input[type=password]");
      window.setTimeout(function () { password.value = ""; }, 0);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    initTabs();
    initReveal();
    initExportLinks();
    initFullExport();
  });
})();
