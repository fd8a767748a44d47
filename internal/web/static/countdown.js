// Counts down the time left on seat holds (the cart). Each .countdown
// element carries the seconds left when the page was served, the text
// for each whole number of minutes left (rounded down) and the text once
// the time is up. Time is measured from the page load, so a wrong clock
// on the computer does not matter.
(function () {
  "use strict";
  var started = performance.now();
  var timers = Array.prototype.map.call(document.querySelectorAll(".countdown[data-seconds]"), function (el) {
    return { el: el, seconds: parseInt(el.dataset.seconds, 10), labels: JSON.parse(el.dataset.labels || "[]") };
  });
  function tick() {
    // Whole seconds, like the seconds the page was served with: the text
    // the page came with stays for its first second.
    var elapsed = Math.floor((performance.now() - started) / 1000);
    var running = false;
    timers.forEach(function (t) {
      var left = t.seconds - elapsed;
      var text = t.el.dataset.expired;
      if (left > 0) {
        running = true;
        text = t.labels[Math.min(Math.floor(left / 60), t.labels.length - 1)] || text;
      }
      if (t.el.textContent !== text) {
        t.el.textContent = text;
      }
    });
    if (running) {
      window.setTimeout(tick, 1000);
    }
  }
  if (timers.length > 0) {
    tick();
  }
})();
