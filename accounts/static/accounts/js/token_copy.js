/* The copy button of a new access token (no inline scripts: the pages run under a Content Security Policy).
   The clipboard API needs a secure context, which an intranet served over plain HTTP is not: then the field's
   text is selected and copied the old way. */
(function () {
  "use strict";
  function copied(status, ok) {
    if (status) { status.textContent = ok ? "已复制到剪贴板。" : "未能自动复制，请按 Ctrl+C（手机上长按）复制已选中的令牌。"; }
  }
  document.addEventListener("DOMContentLoaded", function () {
    var status = document.querySelector("[data-copy-status]");
    document.querySelectorAll("[data-copy-target]").forEach(function (button) {
      button.addEventListener("click", function () {
        var field = document.querySelector(button.getAttribute("data-copy-target"));
        if (!field) { return; }
        field.focus();
        field.select();
        if (navigator.clipboard && window.isSecureContext) {
          navigator.clipboard.writeText(field.value).then(function () { copied(status, true); },
                                                          function () { copied(status, false); });
          return;
        }
        var ok = false;
        try { ok = document.execCommand("copy"); } catch (error) { ok = false; }
        copied(status, ok);
      });
    });
  });
})();
