// Subject page: deleting needs the typed name and a final confirmation.
(function () {
  "use strict";
  var form = document.getElementById("delete-form");
  if (!form) return;
  form.addEventListener("submit", function (e) {
    var name = form.dataset.subject, typed = document.getElementById("delete-confirm").value.trim();
    if (typed !== name) {
      e.preventDefault();
      alert("Type the subject's name exactly (" + name + ") to delete it.");
      return;
    }
    if (!confirm("Delete " + name + " and all their visits and photos? This cannot be undone.")) e.preventDefault();
  });
})();
