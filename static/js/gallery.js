// The gallery's bulk bar (templates/generation/gallery/includes/bulk_bar.html), enhanced:
// it says how many images are selected, offers "Select all" for the page, and shows the board
// picker only for "Move to board". Without JavaScript the same form posts and the server says
// what was missing, so nothing here is required.
(function () {
  "use strict";
  var form = document.getElementById("bulk-form");
  if (!form || form.dataset.ready) return;
  form.dataset.ready = "1";
  var action = form.querySelector("[name=action]");
  var board = form.querySelector("[name=board]");
  var count = form.querySelector(".gal-count");
  var all = form.querySelector(".gal-select-all");
  var apply = form.querySelector("button[type=submit]");

  function boxes() {
    return Array.prototype.slice.call(document.querySelectorAll('input[name=images][form="bulk-form"]'));
  }

  function update() {
    var ticked = boxes().filter(function (box) { return box.checked; }).length;
    if (count) count.textContent = ticked === 1 ? "1 selected" : ticked + " selected";
    if (apply) apply.disabled = ticked === 0;
    if (all) all.textContent = ticked && ticked === boxes().length ? "Select none" : "Select all";
    if (board) board.hidden = action.value !== "move";
  }

  if (all) {
    all.hidden = false;
    all.addEventListener("click", function () {
      var every = boxes().every(function (box) { return box.checked; });
      boxes().forEach(function (box) { box.checked = !every; });
      update();
    });
  }
  if (count) count.hidden = false;
  document.addEventListener("change", function (event) {
    if (event.target === action || (event.target.name === "images" && event.target.form === form)) update();
  });
  update();
})();
