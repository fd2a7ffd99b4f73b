// The org tree: fold and unfold, filter as you type, jump to #unit-N after an edit.
// Loaded as a file (Content-Security-Policy: no inline scripts). Without it the whole tree is shown.
(function () {
  "use strict";

  function nodesOf(tree) { return Array.prototype.slice.call(tree.querySelectorAll("li.org-node")); }

  function setCollapsed(li, collapsed) {
    if (!li.hasAttribute("data-has-children")) return;
    li.classList.toggle("is-collapsed", collapsed);
    var button = li.querySelector(":scope > .org-node-row [data-tree-toggle]");
    if (button) button.setAttribute("aria-expanded", collapsed ? "false" : "true");
  }

  function expandTo(li) {
    var node = li.parentElement && li.parentElement.closest("li.org-node");
    while (node) {
      setCollapsed(node, false);
      node = node.parentElement && node.parentElement.closest("li.org-node");
    }
  }

  function filter(tree, term) {
    var nodes = nodesOf(tree);
    var status = document.querySelector("[data-tree-status]");
    var empty = tree.parentElement.querySelector("[data-tree-empty]");
    term = term.trim().toLowerCase();
    if (!term) {
      nodes.forEach(function (li) { li.classList.remove("is-hidden", "is-match"); });
      if (status) status.hidden = true;
      if (empty) empty.hidden = true;
      return;
    }
    var shown = 0;
    // Children come after their parent in document order: walk backwards so that each node already
    // knows whether anything below it is shown.
    for (var i = nodes.length - 1; i >= 0; i--) {
      var li = nodes[i];
      var match = (li.getAttribute("data-search") || "").indexOf(term) !== -1;
      var childShown = li.querySelector(":scope > ul > li.org-node:not(.is-hidden)") !== null;
      li.classList.toggle("is-match", match);
      li.classList.toggle("is-hidden", !match && !childShown);
      if (childShown) setCollapsed(li, false);
      if (match) shown++;
    }
    if (status) { status.hidden = false; status.textContent = "· 匹配 " + shown + " 个"; }
    if (empty) empty.hidden = shown > 0;
  }

  function init() {
    document.querySelectorAll("ul.org-tree").forEach(function (tree) {
      var from = tree.getAttribute("data-collapse-from");
      var target = location.hash && location.hash.indexOf("#unit-") === 0 ? document.getElementById(location.hash.slice(1)) : null;
      if (from !== null && from !== "") {
        nodesOf(tree).forEach(function (li) {
          if (parseInt(li.getAttribute("data-depth"), 10) >= parseInt(from, 10)) setCollapsed(li, true);
        });
      }
      if (target) {
        expandTo(target);
        target.classList.add("is-target");
        target.scrollIntoView({ block: "center" });
      }
      tree.addEventListener("click", function (event) {
        var button = event.target.closest("[data-tree-toggle]");
        if (!button) return;
        var li = button.closest("li.org-node");
        setCollapsed(li, !li.classList.contains("is-collapsed"));
      });
    });
    document.querySelectorAll("[data-tree-expand], [data-tree-collapse]").forEach(function (button) {
      button.addEventListener("click", function () {
        var selector = button.getAttribute("data-tree-expand") || button.getAttribute("data-tree-collapse");
        var collapse = button.hasAttribute("data-tree-collapse");
        var tree = document.querySelector(selector);
        if (!tree) return;
        nodesOf(tree).forEach(function (li) {
          // Collapsing keeps the top level open, so the county and its towns stay in view.
          setCollapsed(li, collapse && li.getAttribute("data-depth") !== "0");
        });
      });
    });
    document.querySelectorAll("[data-tree-filter]").forEach(function (input) {
      var tree = document.querySelector(input.getAttribute("data-tree-filter"));
      if (!tree) return;
      var timer = null;
      input.addEventListener("input", function () {
        clearTimeout(timer);
        timer = setTimeout(function () { filter(tree, input.value); }, 150);
      });
    });
    if (window.TomSelect) {
      document.querySelectorAll("select[data-tom-select]").forEach(function (select) {
        // eslint-disable-next-line no-new
        new window.TomSelect(select, { maxOptions: 2000, allowEmptyOption: true, searchField: ["text"], sortField: [{ field: "$order" }] });
      });
    }
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
