/* Panhuo decisions: an optimiser run's page follows the run while it is queued or running.
 * Our own small script (no library, same origin). Every two seconds it reads the run from the
 * API (GET /api/v1/optimiser/runs/<id>, the reader's own session): the gap and the seconds
 * are put into the page; when the status or the stage changes the page is loaded again, so
 * the plan is shown as the server renders it. Without this script a <noscript> meta refresh
 * reloads the page instead. */
(function () {
  "use strict";

  var box = document.querySelector("[data-poll-url]");
  if (!box) { return; }
  var url = box.getAttribute("data-poll-url");
  var status = box.getAttribute("data-status");
  var stage = box.getAttribute("data-stage");
  var EVERY = 2000;

  function setText(name, value) {
    var node = box.querySelector('[data-poll="' + name + '"]');
    if (node && value !== null && value !== undefined) {
      var text = typeof value === "number" ? value.toFixed(name === "gap" ? 4 : 1) : String(value);
      if (node.textContent !== text) { node.textContent = text; }
      node.hidden = false;
    }
  }

  function poll() {
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (run) {
        var progress = run.progress || {};
        if (run.status !== status || (progress.stage || "") !== stage) {
          window.location.reload();
          return;
        }
        setText("gap", progress.gap);
        setText("seconds", progress.seconds);
        window.setTimeout(poll, EVERY);
      })
      .catch(function () { box.setAttribute("data-poll-stopped", "1"); });
  }

  window.setTimeout(poll, EVERY);
}());
