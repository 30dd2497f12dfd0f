// Label each table cell with its column heading, so narrow screens can show
// one card per row (app.css). Rows added later call porescopeLabelTables().
(function () {
  "use strict";
  function label(root) {
    (root || document).querySelectorAll("table.data").forEach(function (table) {
      var heads = [].map.call(table.querySelectorAll("thead th"), function (th) { return th.textContent.trim(); });
      table.querySelectorAll("tbody tr").forEach(function (tr) {
        [].forEach.call(tr.children, function (td, i) {
          if (!td.hasAttribute("data-label") && heads[i] !== undefined) td.setAttribute("data-label", heads[i]);
        });
      });
    });
  }
  window.porescopeLabelTables = label;
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", function () { label(); });
  else label();
})();
