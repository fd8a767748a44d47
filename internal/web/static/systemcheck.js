// System check for online proctored exams: browser features, screen size
// and download bandwidth from the portal. Results are shown on the page;
// nothing is sent back.
(function () {
  "use strict";
  function show(id, ok, detail) {
    var cell = document.getElementById(id);
    cell.textContent = (ok ? cell.dataset.ok : cell.dataset.fail) + (detail ? " (" + detail + ")" : "");
    cell.className = ok ? "check-ok" : "check-fail";
    return ok;
  }
  var browser = show("check-browser",
    !!(window.fetch && window.Promise && window.WebSocket && navigator.mediaDevices && window.crypto && window.crypto.subtle),
    navigator.userAgent.split(" ").slice(-2).join(" "));
  var w = window.screen.width, h = window.screen.height;
  var screenOK = show("check-screen", w >= 1024 && h >= 768, w + "×" + h);
  var bw = document.getElementById("check-bandwidth");
  var bytes = parseInt(bw.dataset.bytes, 10);
  var started = performance.now();
  fetch("/system-check/payload?t=" + Date.now(), { cache: "no-store", credentials: "same-origin" })
    .then(function (r) { return r.arrayBuffer(); })
    .then(function (buf) {
      var seconds = (performance.now() - started) / 1000;
      var mbps = (buf.byteLength * 8 / 1e6) / Math.max(seconds, 0.001);
      return show("check-bandwidth", buf.byteLength === bytes && mbps >= 1.5, mbps.toFixed(1) + " Mbit/s");
    })
    .catch(function () { return show("check-bandwidth", false, ""); })
    .then(function (bandwidth) {
      var summary = document.getElementById("check-summary");
      summary.textContent = browser && screenOK && bandwidth ? summary.dataset.pass : summary.dataset.fail;
    });
})();
