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
  function num(x, d) { return (x === null || x === undefined) ? "–" : Number(x).toFixed(d); }
  // Names from porescope.labels (the one table every shell reads), passed by the page.
  var metricWords = JSON.parse(box.dataset.metricWords || "{}"), regionNames = JSON.parse(box.dataset.regionNames || "{}");
  var words = { improved: "improved", worse: "worse", no_detectable_change: "no detectable change" };
  // The photos first: the comparison re-analyzes both visits (seconds), and
  // starting it at once would slow the slider's pictures down.
  function loaded(img) {
    return new Promise(function (res) { if (img.complete) res(); else { img.addEventListener("load", res); img.addEventListener("error", res); } });
  }
  Promise.all([loaded(document.getElementById("img-a")), loaded(document.getElementById("img-b"))]).then(function () {
    return fetch("/api/history/compare?" + q);
  }).then(function (r) { return r.json(); }).then(function (c) {
    if (c.error) { status.textContent = "error: " + c.error; status.className = "error"; return; }
    document.getElementById("comparison-summary").textContent = c.summary || "";
    var rows = document.getElementById("comparison-rows");
    (c.regions || []).forEach(function (g) {
      (g.metrics || []).forEach(function (m) {
        var tr = document.createElement("tr");
        // counts are whole numbers ("2011", never "2011.0"); large values need no decimals
        var d = m.metric === "pore_count" || Math.abs(m.baseline) >= 100 ? 0 : (Math.abs(m.baseline) >= 10 ? 1 : 3);
        [regionNames[g.name] || g.name.replace(/_/g, " "), metricWords[m.metric] || m.metric.replace(/_/g, " "), num(m.baseline, d), num(m.latest, d), (m.delta > 0 ? "+" : "") + num(m.delta, d),
         num(m.low, d) + " to " + num(m.high, d), words[m.verdict] || m.verdict].forEach(function (t, i) {
          var td = document.createElement("td"); td.textContent = t;
          if (i >= 2 && i <= 5) td.className = "num";
          if (i === 6) td.className = "verdict-" + m.verdict;
          tr.appendChild(td);
        });
        rows.appendChild(tr);
      });
    });
    if (window.porescopeLabelTables) window.porescopeLabelTables();
    var notes = document.getElementById("comparison-notes");
    (c.notes || []).concat(["Alignment: " + c.alignment]).forEach(function (n) { var li = document.createElement("li"); li.textContent = n; notes.appendChild(li); });
    status.hidden = true; body.hidden = false;
  }).catch(function () { status.textContent = "The comparison could not be computed."; });
})();
