// The account menu is a <details> and works without this file; here it also closes with
// Escape (focus returns to its toggle) and with a click anywhere outside it, as menus do.
// It also remembers the browser's time zone for the server.
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
  // Dates are rendered in the browser's time zone from the next page on (modelsnapper.timezones).
  // Asking Intl for the zone costs a long task the first time on a page (ICU loads), so it is
  // done once a month, on the first tap or key press, not while the page loads.
  function rememberZone() {
    document.removeEventListener("pointerdown", rememberZone, true);
    document.removeEventListener("keydown", rememberZone, true);
    try {
      var zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
      if (zone) document.cookie = "tz=" + encodeURIComponent(zone) + "; path=/; max-age=2592000; SameSite=Lax";
    } catch (error) {
      // An old browser without Intl time zones keeps UTC, which pages name.
    }
  }
  if (!/(^|; )tz=/.test(document.cookie)) {
    document.addEventListener("pointerdown", rememberZone, true);
    document.addEventListener("keydown", rememberZone, true);
  }
  document.addEventListener("click", function (event) {
    openMenus().forEach(function (menu) {
      if (!menu.contains(event.target)) menu.open = false;
    });
  });
})();
