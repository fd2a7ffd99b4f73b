// The security administrator's forms: searchable unit and role pickers (Tom Select).
// Loaded only by the pages that need it; no inline scripts (Content-Security-Policy).
(function () {
  "use strict";

  function init(root) {
    if (!window.TomSelect) return;
    root.querySelectorAll("select[data-tom-select]").forEach(function (el) {
      if (el.tomselect) return;
      new window.TomSelect(el, {
        plugins: el.multiple ? ["remove_button"] : [],
        maxOptions: null,
        allowEmptyOption: !el.multiple,
        hidePlaceholder: true,
        // Options are indented by tree depth; the chosen item shows the bare name.
        render: {
          item: function (data, escape) { return "<div>" + escape(String(data.text).trim()) + "</div>"; },
        },
      });
    });
  }

  document.addEventListener("DOMContentLoaded", function () { init(document); });
})();
