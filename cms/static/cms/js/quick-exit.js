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
    // In an LMS's frame (LTI) the whole window leaves, not only Signaal's frame: the LMS's
    // page around it would stay on screen, and the neutral site may refuse to be framed.
    // Browsers let a frame navigate its top window after a click (not after Escape, which
    // is no user activation; then only the frame leaves).
    if (window.top !== window.self) {
      try {
        window.top.location.replace(destination);
      } catch (error) {
        // Not allowed (a sandboxed frame, no click): leave the frame at least.
      }
    }
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
