// Offline drafts of create forms (core/idempotency.py). A <form data-offline-draft="STORAGE KEY"> keeps its
// fields in localStorage as the user types; a submission made while the network is down (navigator.onLine
// false, or the request itself failing) stays there as a pending draft, and is sent as soon as the `online`
// event fires — or when the form is opened again online. The hidden `idempotency_key` travels with the draft,
// so however often it is sent, the server creates the record once. Files (photos) cannot be kept in
// localStorage: they are sent only if the page stays open until the network is back. A draft lives 7 days at
// most (older ones are dropped when a draft form opens) and none survives logging out (static/js/app.js).
(function () {
  "use strict";

  var OFFLINE = "网络已断开，草稿已保存在本机，恢复网络后自动提交";
  var SENDING = "网络已恢复，正在提交草稿…";
  var RESTORED = "已恢复本机保存的草稿";
  var RETRY_MS = 20000;
  var PREFIX = "tongxin-draft:";  // every draft's storage key (the forms' data-offline-draft) starts with it
  var MAX_AGE_MS = 7 * 24 * 3600 * 1000;

  function storageGet(key) {
    try { return JSON.parse(window.localStorage.getItem(key) || "null"); } catch (e) { return null; }
  }
  function storageSet(key, value) {
    try { window.localStorage.setItem(key, JSON.stringify(value)); } catch (e) { /* private mode: no draft */ }
  }
  function storageDrop(key) {
    try { window.localStorage.removeItem(key); } catch (e) { /* nothing kept */ }
  }

  // A draft nobody came back to in a week is stale (and personal data left on a phone): dropped unread.
  function dropStaleDrafts() {
    var now = Date.now();
    var keys = [];
    try {
      for (var i = 0; i < window.localStorage.length; i++) keys.push(window.localStorage.key(i));
    } catch (e) { return; }
    keys.forEach(function (key) {
      if (!key || key.indexOf(PREFIX) !== 0) return;
      var draft = storageGet(key);
      var saved = draft && Date.parse(draft.saved);
      if (!saved || now - saved > MAX_AGE_MS) storageDrop(key);
    });
  }

  function fieldsOf(form) {
    return Array.prototype.filter.call(form.elements, function (el) {
      return el.name && el.name !== "csrfmiddlewaretoken" && el.type !== "file" && el.type !== "submit"
        && el.type !== "button";
    });
  }

  function snapshot(form) {
    var values = {};
    fieldsOf(form).forEach(function (el) {
      if ((el.type === "checkbox" || el.type === "radio") && !el.checked) return;
      if (el.tagName === "SELECT") {
        // With the option's text: a picker searching on the server has only the chosen options in the page.
        values[el.name] = Array.prototype.filter.call(el.options, function (o) { return o.selected && o.value; })
          .map(function (o) { return [o.value, o.text]; });
        return;
      }
      (values[el.name] = values[el.name] || []).push(el.value);
    });
    return values;
  }

  function restore(form, values) {
    fieldsOf(form).forEach(function (el) {
      var kept = values[el.name];
      if (kept === undefined) {
        if (el.type === "checkbox" || el.type === "radio") el.checked = false;
        return;
      }
      if (el.type === "checkbox" || el.type === "radio") {
        el.checked = kept.indexOf(el.value) !== -1;
      } else if (el.tagName === "SELECT") {
        var chosen = kept.map(function (pair) { return pair[0]; });
        kept.forEach(function (pair) {
          var present = Array.prototype.some.call(el.options, function (o) { return o.value === pair[0]; });
          if (!present) el.add(new Option(pair[1], pair[0]));
        });
        Array.prototype.forEach.call(el.options, function (o) { o.selected = chosen.indexOf(o.value) !== -1; });
        if (el.tomselect) el.tomselect.sync();
      } else {
        el.value = kept[0];
      }
    });
  }

  function initForm(form) {
    var key = form.getAttribute("data-offline-draft");
    var banner = form.querySelector("[data-draft-banner]");
    var sending = false;
    var retry = null;

    function show(text, tone) {
      if (!banner) return;
      banner.querySelector("[data-draft-message]").textContent = text;
      banner.classList.toggle("alert-warning", tone !== "info");
      banner.classList.toggle("alert-info", tone === "info");
      banner.classList.remove("d-none");
    }
    function save(pending) {
      storageSet(key, {values: snapshot(form), pending: pending, saved: new Date().toISOString()});
    }
    function keepOffline() {
      sending = false;
      save(true);
      // The phone says it is online but the server did not answer (a weak signal, a gateway down): try again
      // by itself; the `online` event covers the network coming back.
      window.clearTimeout(retry);
      if (navigator.onLine) retry = window.setTimeout(send, RETRY_MS);
      show(OFFLINE, "warning");
      // The button is at the foot of a long form on a phone; the banner is at its head.
      if (banner && banner.scrollIntoView) banner.scrollIntoView({block: "center"});
    }

    // Sent by fetch, so a dropped network keeps the page (and the draft) instead of a browser error page. A
    // record created answers {"location": url} (core.idempotency); anything else — the form with its errors, a
    // refusal — is shown by submitting the form the ordinary way, with the same key, which creates nothing twice.
    function send() {
      if (sending) return;
      if (!navigator.onLine) { keepOffline(); return; }
      sending = true;
      save(true);
      fetch(form.action || window.location.href, {
        method: "POST", body: new FormData(form), credentials: "same-origin",
        headers: {"X-Offline-Draft": "1", "Accept": "application/json"},
      }).then(function (response) {
        var json = (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
        if (response.ok && json) {
          return response.json().then(function (data) {
            storageDrop(key);
            window.location.assign(data.location);
          });
        }
        // Kept (no longer pending) until the record exists: a form with errors comes back, an expired session
        // goes to the sign-in page and the draft waits for the user's return.
        save(false);
        HTMLFormElement.prototype.submit.call(form);
      }).catch(keepOffline);
    }

    var draft = storageGet(key);
    // The server's answer to a submission it refused (the form with its errors) holds the same values: it wins.
    var answered = form.querySelector(".alert-danger, .is-invalid");
    if (draft && draft.values && (draft.pending || !answered)) {
      restore(form, draft.values);
      if (draft.pending) {
        show(navigator.onLine ? SENDING : OFFLINE, navigator.onLine ? "info" : "warning");
        if (navigator.onLine) send();
      } else {
        show(RESTORED, "info");
      }
    }
    form.addEventListener("input", function () { if (!sending) save(false); });
    form.addEventListener("change", function () { if (!sending) save(false); });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      send();
    });
    window.addEventListener("online", function () {
      var current = storageGet(key);
      if (current && current.pending) { show(SENDING, "info"); send(); }
    });
    window.addEventListener("offline", function () {
      var current = storageGet(key);
      if (current && current.pending) show(OFFLINE, "warning");
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    dropStaleDrafts();
    document.querySelectorAll("form[data-offline-draft]").forEach(initForm);
  });
})();
