// Shows the state/region choice of the chosen country in place when the
// country changes: the server renders the field (GET /regions?country=),
// and it replaces the form's region box. Without script, the form's
// "show the states or regions" button does the same with a reload.
(function () {
  "use strict";
  var box = document.getElementById("region-field");
  var country = document.getElementById("country");
  if (!box || !country || !window.fetch || !window.DOMParser) {
    return;
  }
  var latest = 0;
  country.addEventListener("change", function () {
    var n = ++latest;
    var url = box.getAttribute("data-regions") + "?country=" + encodeURIComponent(country.value);
    fetch(url, { credentials: "same-origin", headers: { Accept: "text/html" } })
      .then(function (r) {
        if (!r.ok) {
          throw new Error("regions: " + r.status);
        }
        return r.text();
      })
      .then(function (html) {
        if (n !== latest) {
          return; // the country changed again meanwhile
        }
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("region-field");
        if (fresh) {
          box.innerHTML = fresh.innerHTML;
        }
      })
      .catch(function () {
        // The field stays as it was; the server asks for the region after
        // the submit if it is needed.
      });
  });
})();
