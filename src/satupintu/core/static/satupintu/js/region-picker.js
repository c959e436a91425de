// Progressive enhancement for the region picker: fill the next <select> from the API when a
// choice changes, and hide the no-JavaScript "show the next list" button.
(function () {
  "use strict";
  function reset(select, placeholder) {
    select.innerHTML = "";
    var opt = document.createElement("option");
    opt.value = "";
    opt.textContent = placeholder;
    select.appendChild(opt);
  }
  function init(fieldset) {
    var api = fieldset.getAttribute("data-api");
    var selects = Array.prototype.slice.call(fieldset.querySelectorAll("select"));
    var button = fieldset.querySelector(".region-refresh");
    if (button) { button.hidden = true; }
    selects.forEach(function (select, index) {
      select.addEventListener("change", function () {
        for (var j = index + 1; j < selects.length; j++) {
          reset(selects[j], "—");
          selects[j].disabled = true;
        }
        var next = selects[index + 1];
        if (!next || !select.value) { return; }
        next.setAttribute("aria-busy", "true");
        // Answers can arrive out of order (type-ahead or arrow keys pass over other choices):
        // only the answer for the choice still selected may fill the next list.
        var requested = select.value;
        var stale = function () { return select.value !== requested; };
        fetch(api + "?page_size=500&parent=" + encodeURIComponent(requested), {headers: {"Accept": "application/json"}})
          .then(function (r) { return r.ok ? r.json() : Promise.reject(r.status); })
          .then(function (data) {
            if (stale()) { return; }
            reset(next, "— " + (document.documentElement.lang === "en" ? "choose" : "pilih") + " —");
            data.items.forEach(function (item) {
              var opt = document.createElement("option");
              opt.value = item.kode;
              opt.textContent = item.nama;
              next.appendChild(opt);
            });
            next.disabled = false;
          })
          .catch(function () { if (button && !stale()) { button.hidden = false; } })
          .finally(function () { if (!stale()) { next.removeAttribute("aria-busy"); } });
      });
    });
  }
  document.querySelectorAll("[data-region-picker]").forEach(init);
})();
