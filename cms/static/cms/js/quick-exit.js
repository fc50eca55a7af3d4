// 'Snel weg': leave Signaal at once for a neutral site. location.replace() swaps the
// current history entry, so the back button does not return to this page.
(function () {
  "use strict";
  var button = document.querySelector("[data-quick-exit]");
  if (!button) {
    return;
  }
  var destination = button.getAttribute("href");

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    window.location.replace(destination);
  }

  button.addEventListener("click", leave);

  // Escape twice within a second also leaves.
  var lastEscape = 0;
  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape") {
      return;
    }
    var now = Date.now();
    if (now - lastEscape < 1000) {
      leave(event);
    }
    lastEscape = now;
  });
})();
