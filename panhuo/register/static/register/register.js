/* Panhuo register pages: our own small script. Every page works without it.
 * - asset form: only the attributes of the chosen kind are shown and sent;
 * - import run page: progress is polled from the run's JSON and the page reloads when done;
 * - scope decision: tick or untick every candidate at once, with a running count. */
(function () {
  "use strict";

  function kindAttributes(form) {
    var select = form.querySelector("select[name='kind']");
    if (!select) { return; }
    function update() {
      form.querySelectorAll(".attribute-group").forEach(function (group) {
        /* A group with an error stays in view (and is sent) until it is put right. */
        var show = group.getAttribute("data-kind") === select.value ||
          group.querySelector(".has-error") !== null;
        group.hidden = !show;
        group.disabled = !show;
      });
    }
    select.addEventListener("change", update);
    update();
  }

  function importProgress(box) {
    var url = box.getAttribute("data-url");
    var bar = box.querySelector("progress");
    var rows = box.querySelector("[data-rows]");
    var status = box.querySelector("[data-status]");
    var share = box.querySelector("[data-percent]");
    var delay = 800;
    function poll() {
      fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
        .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
        .then(function (p) {
          if (p.finished) { window.location.reload(); return; }
          var percent = p.size && p.bytes ? Math.min(100, Math.floor(p.bytes * 100 / p.size)) : 0;
          if (p.bytes) { bar.value = percent; } else { bar.removeAttribute("value"); }
          if (share) { share.textContent = p.bytes ? percent + " %" : ""; }
          if (rows) { rows.textContent = Number(p.rows || 0).toLocaleString(); }
          if (status && box.getAttribute("data-label-" + p.status)) {
            status.textContent = box.getAttribute("data-label-" + p.status);
          }
          delay = Math.min(delay * 1.25, 4000);
          window.setTimeout(poll, delay);
        })
        .catch(function () { window.setTimeout(poll, 5000); });
    }
    window.setTimeout(poll, delay);
  }

  function tickAll(form) {
    var boxes = form.querySelectorAll("input[type='checkbox'][name='include']");
    var count = form.querySelector("[data-ticked]");
    function recount() {
      if (!count) { return; }
      var n = 0;
      boxes.forEach(function (b) { if (b.checked) { n += 1; } });
      count.textContent = n.toLocaleString();
    }
    form.querySelectorAll("[data-tick]").forEach(function (button) {
      button.hidden = false;
      button.addEventListener("click", function () {
        var on = button.getAttribute("data-tick") === "all";
        boxes.forEach(function (b) { b.checked = on; });
        recount();
      });
    });
    boxes.forEach(function (b) { b.addEventListener("change", recount); });
    recount();
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-kind-attributes]").forEach(kindAttributes);
    document.querySelectorAll("[data-import-progress]").forEach(importProgress);
    document.querySelectorAll("form[data-tick-form]").forEach(tickAll);
  });
}());
