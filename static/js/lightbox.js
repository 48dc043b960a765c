// The lightbox: a grid's picture opened large in the <dialog> of templates/includes/lightbox.html.
// Links with class "js-lightbox" keep their href (the post or image page), so without JavaScript,
// or with a modifier key (new tab), they are ordinary links. The fragment comes from the link's
// data-lightbox-url, asked for with HX-Request like any HTMX fragment of the site.
// The modal dialog keeps focus inside it and closes on Esc; ← and → step through the page's
// pictures; on close, focus goes back to the link of the picture last shown.
(function () {
  "use strict";
  var dialog = document.getElementById("lightbox");
  if (!dialog || typeof dialog.showModal !== "function" || dialog.dataset.ready) return;
  dialog.dataset.ready = "1";
  var body = dialog.querySelector(".lightbox-body");
  var current = null; // the link whose picture is shown
  var asked = 0; // the newest request: an older answer arriving late is dropped

  function links() {
    return Array.prototype.slice.call(document.querySelectorAll("a.js-lightbox[data-lightbox-url]"));
  }

  function updateSteps() {
    var all = links();
    var at = all.indexOf(current);
    dialog.querySelectorAll("[data-lightbox-step]").forEach(function (button) {
      var to = at + Number(button.dataset.lightboxStep);
      button.disabled = at < 0 || to < 0 || to >= all.length;
    });
  }

  function show(link) {
    var ticket = ++asked;
    current = link;
    dialog.setAttribute("aria-busy", "true");
    fetch(link.dataset.lightboxUrl, { headers: { "HX-Request": "true" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error(String(response.status));
        return response.text();
      })
      .then(function (html) {
        if (ticket !== asked) return;
        body.innerHTML = html;
        if (window.htmx) window.htmx.process(body);
        dialog.removeAttribute("aria-busy");
        updateSteps();
        if (!dialog.open) dialog.showModal();
        var first = dialog.querySelector("[data-lightbox-focus]") || dialog.querySelector(".lightbox-close");
        first.focus();
      })
      .catch(function () {
        // Whatever went wrong, the link's own page shows the picture (and says why if it cannot).
        if (ticket === asked) window.location.assign(link.href);
      });
  }

  function step(by) {
    var all = links();
    var to = all[all.indexOf(current) + by];
    if (to) show(to);
  }

  document.addEventListener("click", function (event) {
    var link = event.target.closest && event.target.closest("a.js-lightbox[data-lightbox-url]");
    if (!link || event.defaultPrevented || event.button !== 0) return;
    if (event.metaKey || event.ctrlKey || event.shiftKey || event.altKey) return;
    event.preventDefault();
    show(link);
  });

  dialog.addEventListener("click", function (event) {
    if (event.target === dialog) dialog.close(); // the backdrop
    var button = event.target.closest("button");
    if (!button) return;
    if (button.classList.contains("lightbox-close")) dialog.close();
    else if (button.dataset.lightboxStep) step(Number(button.dataset.lightboxStep));
  });

  // A modal dialog keeps the page behind it inert, but Tab past its last control would leave for
  // the browser's own toolbar: wrap around instead, so focus stays in the lightbox.
  function trapTab(event) {
    var focusable = Array.prototype.filter.call(
      dialog.querySelectorAll("a[href], button:not([disabled]), input, select, textarea, video[controls], [tabindex]:not([tabindex='-1'])"),
      function (el) { return el.offsetParent !== null || el === document.activeElement; }
    );
    if (!focusable.length) return;
    var first = focusable[0];
    var last = focusable[focusable.length - 1];
    if (event.shiftKey && (document.activeElement === first || !dialog.contains(document.activeElement))) {
      last.focus();
      event.preventDefault();
    } else if (!event.shiftKey && (document.activeElement === last || !dialog.contains(document.activeElement))) {
      first.focus();
      event.preventDefault();
    }
  }

  dialog.addEventListener("keydown", function (event) {
    if (event.key === "Tab") return trapTab(event);
    if (event.target.closest("input, textarea, select, video")) return;
    if (event.key === "ArrowRight") step(1);
    else if (event.key === "ArrowLeft") step(-1);
    else return;
    event.preventDefault();
  });

  dialog.addEventListener("close", function () {
    asked++;
    body.innerHTML = "";
    var back = current;
    current = null;
    if (back && document.contains(back)) back.focus();
  });
})();
