// Signaal's SCORM 1.2 dispatch package: finds the LMS's SCORM API (an object named API
// in a parent frame or the opener), opens the module on Signaal in a window of its own
// with this package's key, and reports completion and score back to the LMS.
(function () {
  "use strict";
  var root = document.getElementById("signaal");
  var base = root.getAttribute("data-signaal");
  var key = root.getAttribute("data-key");
  var status = document.getElementById("status");

  function findAPI(win) {
    var tries = 0;
    while (win && !win.API && win.parent && win.parent !== win && tries < 10) {
      win = win.parent;
      tries += 1;
    }
    return win && win.API ? win.API : null;
  }
  var api = findAPI(window) || (window.opener ? findAPI(window.opener) : null);
  if (!api) {
    status.textContent = "Deze module moet vanuit een LMS worden geopend (geen SCORM-API gevonden).";
    return;
  }
  api.LMSInitialize("");
  var learner = api.LMSGetValue("cmi.core.student_id");
  var name = api.LMSGetValue("cmi.core.student_name");
  if (api.LMSGetValue("cmi.core.lesson_status") === "not attempted") {
    api.LMSSetValue("cmi.core.lesson_status", "incomplete");
    api.LMSCommit("");
  }
  var query = "?learner=" + encodeURIComponent(learner) + "&name=" + encodeURIComponent(name);
  var start = base + "/lti/scorm/" + encodeURIComponent(key) + "/start/" + query;
  var statusUrl = base + "/lti/scorm/" + encodeURIComponent(key) + "/status/" + query;
  var finished = false;

  document.getElementById("open").addEventListener("click", function () {
    window.open(start, "signaal");
  });

  function report(answer) {
    if (finished || !answer || answer.status !== "passed") {
      return;
    }
    finished = true;
    api.LMSSetValue("cmi.core.score.min", "0");
    api.LMSSetValue("cmi.core.score.max", "100");
    api.LMSSetValue("cmi.core.score.raw", String(answer.score));
    api.LMSSetValue("cmi.core.lesson_status", "passed");
    api.LMSCommit("");
    status.textContent = "Afgerond in Signaal. Je resultaat is doorgegeven aan je LMS.";
  }
  function poll() {
    if (finished) {
      return;
    }
    fetch(statusUrl, { credentials: "omit" })
      .then(function (response) { return response.ok ? response.json() : null; })
      .then(report)
      .catch(function () {});
  }
  setInterval(poll, 3000);
  window.addEventListener("focus", poll);
  window.addEventListener("beforeunload", function () {
    api.LMSFinish("");
  });
})();
