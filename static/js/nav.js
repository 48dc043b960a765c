// The account menu is a <details> and works without this file; here it also closes with
// Escape (focus returns to its toggle) and with a click anywhere outside it, as menus do.
(function () {
  function openMenus() {
    return document.querySelectorAll("details.nav-account[open]");
  }
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") return;
    openMenus().forEach(function (menu) {
      menu.open = false;
      menu.querySelector("summary").focus();
    });
  });
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
