// The create page: style chips that add their text to the prompt, and the results panel that
// the form fills in place (HTMX). Without this script the chips stay hidden and the form posts
// and redirects to the job page as any form does.
(function () {
  "use strict";
  var SEPARATOR = ", ";

  function showChips(root) {
    (root || document).querySelectorAll("[data-presets]").forEach(function (group) {
      group.hidden = false;
    });
  }

  // A chip is pressed while the prompt holds its text, however the text got there.
  function syncChips() {
    var prompt = document.getElementById("id_prompt");
    if (!prompt) return;
    document.querySelectorAll("[data-preset]").forEach(function (button) {
      button.setAttribute("aria-pressed", prompt.value.indexOf(button.getAttribute("data-preset")) !== -1 ? "true" : "false");
    });
  }

  function togglePreset(button) {
    var prompt = document.getElementById("id_prompt");
    if (!prompt) return;
    var text = button.getAttribute("data-preset");
    var value = prompt.value.replace(/\s+$/, "");
    var at = value.indexOf(text);
    if (at !== -1) {
      // Take it back out, with the separator that joined it to the rest.
      var start = value.slice(0, at).slice(-SEPARATOR.length) === SEPARATOR ? at - SEPARATOR.length : at;
      var end = at + text.length;
      if (start === at && value.slice(end, end + SEPARATOR.length) === SEPARATOR) end += SEPARATOR.length;
      value = value.slice(0, start) + value.slice(end);
    } else {
      value = value ? value + SEPARATOR + text : text;
    }
    prompt.value = value;
    prompt.dispatchEvent(new Event("input", { bubbles: true }));
    syncChips();
  }

  document.addEventListener("input", function (event) {
    if (event.target && event.target.id === "id_prompt") syncChips();
  });

  document.addEventListener("click", function (event) {
    var button = event.target.closest && event.target.closest("[data-preset]");
    if (button) togglePreset(button);
  });

  // A refusal (400, 402 not enough credits, 429 too fast) comes back as a sentence to show,
  // not as a failure: swap it in like a success.
  document.addEventListener("htmx:beforeSwap", function (event) {
    var form = event.detail.requestConfig && event.detail.requestConfig.elt;
    if (!form || form.id !== "gen-form") return;
    var status = event.detail.xhr.status;
    if (status === 400 || status === 402 || status === 429) {
      event.detail.shouldSwap = true;
      event.detail.isError = false;
    }
  });

  document.addEventListener("htmx:afterSwap", function (event) {
    var target = event.detail.target;
    if (target && target.id === "gen-results") {
      // Only the latest refusal stays; older ones no longer apply.
      var refusals = target.querySelectorAll(".create-refusal");
      for (var i = 1; i < refusals.length; i++) refusals[i].remove();
      var newest = target.firstElementChild;
      if (newest && newest.classList.contains("create-card") && refusals[0]) refusals[0].remove();
      // Stacked on a phone, the results are below the form: bring the new one into view.
      if (newest && window.matchMedia("(max-width: 59.99rem)").matches) {
        newest.scrollIntoView({ behavior: "smooth", block: "start" });
      }
    }
    showChips(document);
    syncChips();
  });

  document.addEventListener("DOMContentLoaded", function () {
    showChips(document);
    syncChips();
  });
})();
