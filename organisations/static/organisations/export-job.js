// The export job page: asks for the job's status every few seconds and updates the
// progress bar, the status text (an aria-live region) and the download link. Without
// JavaScript the page has a 'Refresh' link that does the same.
(function () {
  "use strict";
  var box = document.querySelector("[data-export-job]");
  if (!box || box.getAttribute("data-finished") === "true" || !window.fetch) {
    return;
  }
  var progress = box.querySelector("[data-export-progress]");
  var status = box.querySelector("[data-export-status]");
  var download = box.querySelector("[data-export-download]");
  var link = box.querySelector("[data-export-download-link]");
  var refresh = box.querySelector("[data-export-refresh]");
  var lastText = status ? status.textContent.trim() : "";
  var delay = 2000;

  function say(text) {
    // Only a changed text is announced again.
    if (status && text && text !== lastText) {
      status.textContent = text;
      lastText = text;
    }
  }

  function update(job) {
    if (progress) {
      progress.value = job.progress;
      progress.textContent = job.progress + "%";
    }
    var text = box.getAttribute("data-text-" + job.status) || job.status_label;
    say(text.replace("{progress}", String(job.progress)));
    if (job.status === "done" && job.download_url && download && link) {
      link.href = job.download_url;
      download.hidden = false;
    }
    return job.status === "done" || job.status === "failed";
  }

  function poll() {
    fetch(box.getAttribute("data-status-url"), {
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    })
      .then(function (response) {
        if (!response.ok) {
          throw new Error(String(response.status));
        }
        return response.json();
      })
      .then(function (job) {
        if (update(job)) {
          if (refresh) {
            refresh.hidden = true;
          }
          return;
        }
        window.setTimeout(poll, delay);
      })
      .catch(function () {
        // Keep the Refresh link; try again a little later.
        delay = Math.min(delay * 2, 30000);
        window.setTimeout(poll, delay);
      });
  }

  window.setTimeout(poll, delay);
})();
