// Reflection answers are saved while the learner types (a second after they pause, and
// when they leave the page), so an answer is never lost to a link clicked before 'Save
// answer'. The lesson's form still saves everything with any of its buttons without this.
(function () {
  "use strict";
  var form = document.getElementById("les-formulier");
  if (!form || !window.fetch) {
    return;
  }
  var token = form.querySelector("input[name=csrfmiddlewaretoken]");
  var url = form.getAttribute("action") || window.location.pathname;
  // The words come translated from the page (lesson_page.html).
  var savedText = form.getAttribute("data-saved-text");
  var failedText = form.getAttribute("data-failed-text");

  function body(field) {
    var data = new FormData();
    data.append("csrfmiddlewaretoken", token ? token.value : "");
    data.append("action", "autosave");
    data.append("block_id", field.getAttribute("data-autosave"));
    data.append("answer", field.value);
    return data;
  }

  document.querySelectorAll("textarea[data-autosave]").forEach(function (field) {
    var status = document.getElementById(field.id + "-status");
    var timer = null;
    var lastSaved = field.value;

    function save() {
      timer = null;
      if (field.value === lastSaved) {
        return;
      }
      var value = field.value;
      fetch(url, {
        method: "POST",
        body: body(field),
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) {
          return response.ok ? response.json() : Promise.reject(response.status);
        })
        .then(function (result) {
          lastSaved = value;
          if (status) {
            status.textContent = savedText + " (" + result.at + ").";
          }
        })
        .catch(function () {
          if (status) {
            status.textContent = failedText;
          }
        });
    }

    field.addEventListener("input", function () {
      if (timer) {
        clearTimeout(timer);
      }
      timer = setTimeout(save, 1000);
    });
    // Leaving with a change not yet sent: send it as the page goes.
    window.addEventListener("pagehide", function () {
      if (field.value !== lastSaved && navigator.sendBeacon) {
        navigator.sendBeacon(url, body(field));
      }
    });
  });
})();
