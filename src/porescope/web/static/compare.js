// Compare page: before/after wipe slider and the measured change table.
(function () {
  "use strict";
  var box = document.getElementById("compare");
  if (!box) return;
  var slider = document.getElementById("slider"), after = document.getElementById("after"), handle = document.getElementById("handle");
  function set(p) { after.style.clipPath = "inset(0 0 0 " + p + "%)"; handle.style.left = p + "%"; }
  slider.addEventListener("input", function () { set(slider.value); });
  var dragging = false;
  function fromEvent(e) { var r = box.getBoundingClientRect(); var p = Math.max(0, Math.min(100, 100 * (e.clientX - r.left) / r.width)); slider.value = p; set(p); }
  box.addEventListener("pointerdown", function (e) { dragging = true; box.setPointerCapture(e.pointerId); fromEvent(e); });
  box.addEventListener("pointermove", function (e) { if (dragging) fromEvent(e); });
  box.addEventListener("pointerup", function () { dragging = false; });
  set(slider.value);
  document.querySelectorAll("input[name=view]").forEach(function (r) {
    r.addEventListener("change", function () {
      var side = document.querySelector("input[name=view]:checked").value === "side";
      box.classList.toggle("side", side); slider.hidden = side;
    });
  });

  var status = document.getElementById("comparison-status"), body = document.getElementById("comparison-body");
  var q = "subject=" + encodeURIComponent(box.dataset.subject) + "&a=" + box.dataset.a + "&b=" + box.dataset.b;
  // The rows come formatted by the server (porescope.track.compact: the same rounding and words as
  // the terminal and the reports); this only lays them out, as text (never as HTML).
  function fill(tbody, groups) {
    groups.forEach(function (g) {
      var head = document.createElement("tr"), th = document.createElement("th");
      head.className = "cmp-region"; th.colSpan = 5; th.textContent = g.region; head.appendChild(th); tbody.appendChild(head);
      g.rows.forEach(function (m) {
        var tr = document.createElement("tr");
        tr.className = "cmp-metric";
        [[m.name, "m"], [m.before + " \u2192 " + m.after, "num v"], [m.change, "num c"], [m.interval, "num i"],
         [m.verdict_words, "verdict-" + m.verdict]].forEach(function (cell) {
          var td = document.createElement("td"); td.textContent = cell[0]; td.className = cell[1]; tr.appendChild(td);
        });
        tbody.appendChild(tr);
      });
    });
  }
  // The photos first: the comparison re-analyzes both visits (seconds), and
  // starting it at once would slow the slider's pictures down.
  function loaded(img) {
    return new Promise(function (res) { if (img.complete) res(); else { img.addEventListener("load", res); img.addEventListener("error", res); } });
  }
  Promise.all([loaded(document.getElementById("img-a")), loaded(document.getElementById("img-b"))]).then(function () {
    return fetch("/api/history/compare?" + q);
  }).then(function (r) { return r.json(); }).then(function (c) {
    if (c.error) { status.textContent = "error: " + c.error; status.className = "error"; return; }
    var d = c.display || {headline: [], more: [], notes: []};
    fill(document.getElementById("comparison-rows"), d.headline);
    fill(document.getElementById("comparison-more"), d.more);
    document.getElementById("comparison-more-box").hidden = !d.more.length;
    if (d.more_names) document.getElementById("comparison-more-names").textContent = "More: " + d.more_names;
    document.getElementById("comparison-alignment").textContent = d.alignment ? "Alignment: " + d.alignment + "." : "";
    document.getElementById("comparison-legend").textContent = [d.legend, d.noise].filter(Boolean).join(" ");
    // Nothing compared (the notes say why): no empty table, and no legend for numbers that are not there.
    document.getElementById("comparison-table").hidden = !d.headline.length;
    document.getElementById("comparison-legend").hidden = !d.headline.length;
    var notes = document.getElementById("comparison-notes");
    (d.notes || []).forEach(function (n) { var li = document.createElement("li"); li.textContent = n; notes.appendChild(li); });
    if (!d.headline.length) status.textContent = "No region could be compared between these two visits.";
    else { status.hidden = true; }
    body.hidden = !d.headline.length && !(d.notes || []).length;
  }).catch(function () { status.textContent = "The comparison could not be computed."; });
})();
