// The create page's cost line follows the model, quality and number of images as they change.
// The server works every amount out with generation.pricing.job_cost (the amount it charges)
// and puts them on the model's option: data-costs = {"standard": [1 image, 2, 3, 4], "hd": [...]}.
// This script only looks the amount up; it has no formula of its own that could disagree.
(function () {
  "use strict";
  function checked(form, name) {
    var field = form.querySelector("input[name=" + name + "]:checked") || form.querySelector("[name=" + name + "]");
    return field ? field.value : "";
  }
  function update() {
    var output = document.getElementById("gen-cost");
    var model = document.getElementById("id_model");
    if (!output || !model || !model.form) return;
    var option = model.options[model.selectedIndex];
    var costs;
    try {
      costs = JSON.parse(option ? option.getAttribute("data-costs") : "null");
    } catch (error) {
      return;
    }
    if (!costs) return;
    var row = costs[checked(model.form, "quality")] || costs.standard;
    var cost = row && row[parseInt(checked(model.form, "num_outputs"), 10) - 1];
    if (typeof cost !== "number") return;
    // The page's language says the amount: the output carries "1 credit" and "2 credits" in it
    // (English and Spanish both use the singular for exactly one); the number is swapped in.
    var template = output.getAttribute(cost === 1 ? "data-one" : "data-other");
    output.textContent = template ? template.replace(/\d+/, String(cost)) : String(cost);
  }
  function onChange(event) {
    var name = event.target && event.target.name;
    if (name === "model" || name === "quality" || name === "num_outputs") update();
  }
  document.addEventListener("change", onChange);
  document.addEventListener("input", onChange);
  document.addEventListener("DOMContentLoaded", update);
  // The form replaces itself with its errors after a refused submission (HTMX).
  document.addEventListener("htmx:afterSettle", update);
})();
