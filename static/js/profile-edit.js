// The profile form's bio counter follows what is typed.
(function () {
  "use strict";
  var bio = document.getElementById("id_bio");
  var count = document.getElementById("bio-count");
  if (bio && count) {
    bio.addEventListener("input", function () { count.textContent = bio.value.length; });
  }
})();
