// Tongxin's own behaviour. No inline scripts anywhere (Content-Security-Policy): pages opt in
// through data- attributes that this file wires up.
(function () {
  "use strict";

  // Tom Select points the <label> at its own search box, leaving the original <select> (hidden, but still read by
  // screen readers and checked by axe) without a name: name it by the same label.
  function keepLabel(el) {
    var labelId = el.tomselect.focus_node.getAttribute("aria-labelledby");
    if (labelId) el.setAttribute("aria-labelledby", labelId);
  }

  // Searchable pickers: <select data-tom-select>, on pages that also load Tom Select.
  function initPickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-tom-select]").forEach(function (el) {
      if (el.tomselect) return;
      new window.TomSelect(el, {
        plugins: el.multiple ? ["remove_button"] : [],
        maxOptions: null,
        allowEmptyOption: !el.multiple,
        hidePlaceholder: true,
        // Unit options are indented by tree depth; the chosen item shows the bare name.
        render: {
          item: function (data, escape) { return "<div>" + escape(String(data.text).trim()) + "</div>"; },
        },
      });
      keepLabel(el);
    });
  }

  // Pickers that search on the server as the user types: <select data-remote-picker="URL">, the URL answering
  // {"results": [{"value", "text"}]} for ?q=. The server matches names, pinyin and initials, so the picker
  // shows exactly what it returns; `data-no-results` is the text when nothing is found.
  function initRemotePickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-remote-picker]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.getAttribute("data-remote-picker");
      var noResults = el.getAttribute("data-no-results") || "没有找到";
      new window.TomSelect(el, {
        plugins: el.multiple ? ["remove_button"] : [],
        valueField: "value",
        labelField: "text",
        searchField: [],
        score: function () { return function () { return 1; }; },
        maxOptions: 20,
        loadThrottle: 250,
        closeAfterSelect: !el.multiple,
        hidePlaceholder: true,
        placeholder: el.getAttribute("data-placeholder") || "",
        shouldLoad: function (query) { return query.trim().length > 0; },
        load: function (query, callback) {
          var picker = this;
          fetch(url + "?q=" + encodeURIComponent(query), {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.ok ? response.json() : {results: []}; })
            .then(function (data) {
              picker.clearOptions();  // keeps the chosen ones; drops the answers to earlier queries
              callback(data.results || []);
            })
            .catch(function () { callback(); });
        },
        render: {
          no_results: function (data, escape) { return '<div class="no-results">' + escape(noResults) + "</div>"; },
          loading: function () { return '<div class="py-2 px-3 text-secondary">正在查找…</div>'; },
        },
      });
      keepLabel(el);
    });
  }

  // A table wider than a phone scrolls sideways; with nothing focusable inside, a keyboard could not scroll it.
  function focusableScrollers(root) {
    root.querySelectorAll(".table-responsive").forEach(function (box) {
      if (!box.hasAttribute("tabindex") && !box.querySelector("a[href], button, input, select, textarea")) {
        box.setAttribute("tabindex", "0");
      }
    });
  }

  function clearDrafts() {
    try {
      var keys = [];
      for (var i = 0; i < window.localStorage.length; i++) keys.push(window.localStorage.key(i));
      keys.forEach(function (key) {
        if (key && key.indexOf("tongxin-draft:") === 0) window.localStorage.removeItem(key);
      });
    } catch (e) { /* no storage (private mode): no draft was kept */ }
  }

  function onReady(root) {
    initPickers(root);
    initRemotePickers(root);
    focusableScrollers(root);
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
      });
    });
    // Logging out leaves no offline draft (static/js/drafts.js) behind on a shared or lost phone.
    root.querySelectorAll("form[data-clear-drafts]").forEach(function (el) {
      el.addEventListener("submit", clearDrafts);
    });
    root.querySelectorAll("[data-autosubmit]").forEach(function (el) {
      el.addEventListener("change", function () { el.form && el.form.requestSubmit(); });
    });
    root.querySelectorAll("[data-check-all]").forEach(function (box) {
      box.addEventListener("change", function () {
        var name = box.getAttribute("data-check-all");
        document.querySelectorAll('input[type=checkbox][name="' + name + '"]').forEach(function (b) {
          b.checked = box.checked;
        });
      });
    });
  }

  // The installable web app's worker (core/pwa.py): it caches static assets only. A failed registration (an old
  // browser, a page over plain http on another host) just leaves the site as it was.
  function registerServiceWorker() {
    var meta = document.querySelector("meta[name=tongxin-service-worker]");
    if (!meta || !("serviceWorker" in navigator)) return;
    navigator.serviceWorker.register(meta.getAttribute("content")).catch(function () { return null; });
  }

  document.addEventListener("DOMContentLoaded", function () { onReady(document); registerServiceWorker(); });
  document.addEventListener("htmx:afterSwap", function (event) { onReady(event.target); });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403 ? "您没有权限执行此操作。" : status === 404 ? "记录不存在或不在您的数据范围内。"
      : "操作失败，请稍后再试。";
    window.alert(text);
  });
})();
