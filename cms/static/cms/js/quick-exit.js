// 'Snel weg': leave Signaal at once for a neutral site. location.replace() swaps the
// current history entry, so the back button does not return to this page. A signed-in
// person is also signed out on the way (the page's own log-out form, sent as a beacon,
// which the browser delivers even as the page goes), so the next person at this device
// finds no open session. Earlier pages stay in the history: /veilig-gebruik/ explains how
// to clear it.
(function () {
  "use strict";
  var button = document.querySelector("[data-quick-exit]");
  if (!button) {
    return;
  }
  var destination = button.getAttribute("href");

  function signOut() {
    var form = document.getElementById(button.getAttribute("data-sign-out") || "");
    if (!form || !navigator.sendBeacon) {
      return;
    }
    try {
      navigator.sendBeacon(form.getAttribute("action"), new FormData(form));
    } catch (error) {
      // Leaving matters more than signing out: never stop the exit.
    }
  }

  function leave(event) {
    if (event) {
      event.preventDefault();
    }
    document.body.style.visibility = "hidden";
    signOut();
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
