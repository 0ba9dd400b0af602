// Polls the export's status once a second until it is done or failed; shows the progress and
// then the download link. Without JavaScript the page still works by reloading it.
(function () {
  "use strict";
  var box = document.getElementById("export-status");
  if (!box) return;
  var url = box.getAttribute("data-status-url");
  var bar = document.getElementById("export-progress");
  var percent = document.getElementById("export-percent");
  var state = document.getElementById("export-state");
  var stage = document.getElementById("export-stage");
  var error = document.getElementById("export-error");
  var ready = document.getElementById("export-ready");
  var link = document.getElementById("export-download");
  var head = document.getElementById("export-head");
  var headAt = document.getElementById("export-head-at");
  var digest = document.getElementById("export-digest");

  function show(s) {
    bar.value = s.percent;
    bar.textContent = s.percent + "%";
    percent.textContent = s.percent + "%";
    state.textContent = s.state_label;
    stage.textContent = s.stage_label || "";
    box.setAttribute("data-state", s.state);
    if (s.error) { error.textContent = s.error; error.hidden = false; }
    if (s.state === "done" && s.download) {
      link.href = s.download;
      head.textContent = s.audit_head || "";
      if (headAt) headAt.textContent = s.audit_head || "—";
      if (digest) digest.textContent = s.digest || "—";
      ready.hidden = false;
    }
  }

  function poll() {
    var current = box.getAttribute("data-state");
    if (current === "done" || current === "failed") return;
    fetch(url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
      .then(function (s) { show(s); setTimeout(poll, 1000); })
      .catch(function () { setTimeout(poll, 3000); });
  }
  poll();
})();
