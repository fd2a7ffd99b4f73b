// The representatives' pages: the person picker, a Tom Select that searches the ledger as the user types
// (<select data-person-picker="autocomplete URL">; the URL answers {"results": [{"value", "text"}]}).
// No inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  function initPersonPickers(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-person-picker]").forEach(function (el) {
      if (el.tomselect) return;
      var url = el.getAttribute("data-person-picker");
      new window.TomSelect(el, {
        valueField: "value",
        labelField: "text",
        searchField: [],  // the server matches names, pinyin and initials; show what it returns
        maxOptions: 20,
        loadThrottle: 250,
        shouldLoad: function (query) { return query.trim().length > 0; },
        load: function (query, callback) {
          fetch(url + "?q=" + encodeURIComponent(query), {credentials: "same-origin", headers: {"Accept": "application/json"}})
            .then(function (response) { return response.ok ? response.json() : {results: []}; })
            .then(function (data) { callback(data.results || []); })
            .catch(function () { callback(); });
        },
        render: {
          no_results: function () { return '<div class="no-results">没有找到（已是代表人士或不在您的数据范围内的人员不显示）</div>'; },
          loading: function () { return '<div class="py-2 px-3 text-secondary">正在查找…</div>'; },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { initPersonPickers(document); });
})();
