// The activities pages. No inline scripts (Content-Security-Policy): the templates opt in with data- attributes.
// - the activity form: title prefilled from the date and type, plan options narrowed to the activity's type,
//   year and unit (the only fitting plan is chosen), a preview of the photos picked.
// - the plan form: the type's expected frequency fills in the frequency.
(function () {
  "use strict";

  function selectedText(select) {
    var option = select && select.options[select.selectedIndex];
    return option ? option.getAttribute("data-name") || option.text : "";
  }

  function initActivityForm(form) {
    var type = form.querySelector("[data-activity-type]");
    var title = form.querySelector("[data-activity-title]");
    var start = form.querySelector("[data-activity-start]");
    var unit = form.querySelector("[name=owner_unit]");
    var plan = form.querySelector("[data-activity-plan]");
    var autoTitle = "";

    function makeTitle() {
      if (!type || !start || !start.value) return "";
      var parts = start.value.split("T")[0].split("-");
      if (parts.length !== 3) return "";
      return parseInt(parts[1], 10) + "月" + parseInt(parts[2], 10) + "日" + selectedText(type);
    }
    function updateTitle() {
      if (!title) return;
      var next = makeTitle();
      if (!title.value || title.value === autoTitle) title.value = next;
      autoTitle = next;
    }
    function updatePlans() {
      if (!plan) return;
      var year = start && start.value ? start.value.slice(0, 4) : "";
      var unitValue = unit ? unit.value : "";
      var fitting = [];
      Array.prototype.forEach.call(plan.options, function (option) {
        if (!option.value) return;
        var fits = (!type || option.getAttribute("data-type") === type.value)
          && (!year || option.getAttribute("data-year") === year)
          && (!unitValue || option.getAttribute("data-unit") === unitValue);
        option.hidden = !fits;
        option.disabled = !fits && !option.selected;
        if (fits) fitting.push(option);
      });
      var current = plan.options[plan.selectedIndex];
      if (current && current.value && current.hidden) plan.value = "";
      if (!plan.value && fitting.length === 1 && !plan.hasAttribute("data-user-cleared")) plan.value = fitting[0].value;
    }
    if (title && title.value && title.value === makeTitle()) autoTitle = title.value;
    if (title && !title.value) updateTitle();
    [type, start, unit].forEach(function (el) {
      if (!el) return;
      el.addEventListener("change", function () { updateTitle(); updatePlans(); });
    });
    if (start) start.addEventListener("input", updateTitle);
    if (plan) {
      plan.addEventListener("change", function () {
        if (!plan.value) plan.setAttribute("data-user-cleared", "");
      });
      updatePlans();
    }

    var preview = form.querySelector("[data-photo-preview]");
    var inputs = form.querySelectorAll("[data-photo-input]");
    function showPreview() {
      if (!preview) return;
      preview.textContent = "";
      var count = 0;
      inputs.forEach(function (input) {
        Array.prototype.forEach.call(input.files || [], function (file) {
          count += 1;
          var img = document.createElement("img");
          img.className = "rounded photo-mini";
          img.alt = file.name;
          if (/^image\//.test(file.type)) img.src = URL.createObjectURL(file);
          preview.appendChild(img);
        });
      });
      if (count) {
        var note = document.createElement("div");
        note.className = "w-100 small text-secondary";
        note.textContent = "已选择 " + count + " 张，保存时上传";
        preview.appendChild(note);
      }
    }
    inputs.forEach(function (input) { input.addEventListener("change", showPreview); });
  }

  function initPlanForm(form) {
    var type = form.querySelector("[data-plan-type]");
    var frequency = form.querySelector("[data-plan-frequency]");
    if (!type || !frequency) return;
    type.addEventListener("change", function () {
      var option = type.options[type.selectedIndex];
      var expected = option ? option.getAttribute("data-frequency") : "";
      if (expected) frequency.value = expected;
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("[data-activity-form]").forEach(initActivityForm);
    document.querySelectorAll("[data-plan-form]").forEach(initPlanForm);
  });
})();
