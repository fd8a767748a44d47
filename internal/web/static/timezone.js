// Online exam times: when the page only guessed the time zone (from the
// profile's country), show the times in the browser's zone instead. The
// page is loaded again with that zone chosen, which the portal remembers;
// without script the guess stays and the person can change it.
(function () {
  "use strict";
  var form = document.querySelector("form.zone-form[data-zone-guessed]");
  if (!form || !window.Intl || !window.URL) {
    return;
  }
  var zone;
  try {
    zone = Intl.DateTimeFormat().resolvedOptions().timeZone;
  } catch (e) {
    return;
  }
  var select = form.querySelector("select[name=tz]");
  if (!zone || !select || select.value === zone) {
    return;
  }
  var url = new URL(window.location.href);
  url.searchParams.set("tz", zone);
  window.location.replace(url.toString());
})();
