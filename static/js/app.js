// Tongxin's own behaviour. No inline scripts anywhere (Content-Security-Policy): pages opt in
// through data- attributes that this file wires up.
(function () {
  "use strict";

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
    });
  }

  function onReady(root) {
    initPickers(root);
    root.querySelectorAll("[data-confirm]").forEach(function (el) {
      el.addEventListener("submit", function (event) {
        if (!window.confirm(el.getAttribute("data-confirm"))) event.preventDefault();
      });
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

  document.addEventListener("DOMContentLoaded", function () { onReady(document); });
  document.addEventListener("htmx:afterSwap", function (event) { onReady(event.target); });
  document.addEventListener("htmx:responseError", function (event) {
    var status = event.detail.xhr.status;
    var text = status === 403 ? "您没有权限执行此操作。" : status === 404 ? "记录不存在或不在您的数据范围内。"
      : "操作失败，请稍后再试。";
    window.alert(text);
  });
})();
