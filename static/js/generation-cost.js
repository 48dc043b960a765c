// The generate page's cost line follows the model, quality and number of images as they change.
// The rule is generation.pricing.job_cost: price per image (the option's data-price)
// × images × the HD multiplier (data-hd-multiplier). The server charges the same amount.
(function () {
  "use strict";
  function update() {
    var output = document.getElementById("gen-cost");
    var line = document.querySelector(".gen-cost");
    var model = document.getElementById("id_model");
    if (!output || !line || !model) return;
    var option = model.options[model.selectedIndex];
    var price = option ? parseInt(option.getAttribute("data-price"), 10) : NaN;
    if (isNaN(price)) return;
    var count = parseInt((document.getElementById("id_num_outputs") || {}).value, 10);
    count = isNaN(count) ? 1 : Math.min(4, Math.max(1, count));
    var quality = (document.getElementById("id_quality") || {}).value;
    var multiplier = quality === "hd" ? parseInt(line.getAttribute("data-hd-multiplier"), 10) || 1 : 1;
    var cost = price * count * multiplier;
    output.textContent = cost + (cost === 1 ? " credit" : " credits");
  }
  document.addEventListener("DOMContentLoaded", function () {
    ["id_model", "id_quality", "id_num_outputs"].forEach(function (id) {
      var field = document.getElementById(id);
      if (field) {
        field.addEventListener("change", update);
        field.addEventListener("input", update);
      }
    });
    update();
  });
})();
