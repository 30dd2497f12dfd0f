// Zoom/pan viewer for stacked image layers, and layer toggles. No libraries.
(function () {
  "use strict";
  function makeViewer(viewer, stage, onChange) {
    var w = parseFloat(stage.style.width), h = parseFloat(stage.style.height);
    var s = 1, x = 0, y = 0, minS = 0.05, maxS = 16;
    function apply() {
      stage.style.transform = "translate(" + x + "px," + y + "px) scale(" + s + ")";
      stage.style.setProperty("--inv", String(1 / s));
      viewer.classList.toggle("pixelated", s >= 2);
      if (onChange) onChange(s);
    }
    function fit() {
      var vw = viewer.clientWidth, vh = viewer.clientHeight;
      s = Math.min(vw / w, vh / h);
      minS = Math.min(s, 1) / 2;
      x = (vw - w * s) / 2; y = (vh - h * s) / 2;
      apply();
    }
    function zoomAt(f, cx, cy) {
      var ns = Math.max(minS, Math.min(maxS, s * f));
      x = cx - (cx - x) * ns / s; y = cy - (cy - y) * ns / s; s = ns;
      apply();
    }
    function centre() { return [viewer.clientWidth / 2, viewer.clientHeight / 2]; }
    viewer.addEventListener("wheel", function (e) {
      e.preventDefault();
      var r = viewer.getBoundingClientRect();
      zoomAt(Math.exp(-e.deltaY * 0.0015), e.clientX - r.left, e.clientY - r.top);
    }, { passive: false });
    var drag = null, pointers = {}, pinch = null;
    viewer.addEventListener("pointerdown", function (e) {
      viewer.setPointerCapture(e.pointerId);
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var ids = Object.keys(pointers);
      if (ids.length === 2) {
        var a = pointers[ids[0]], b = pointers[ids[1]];
        pinch = Math.hypot(a[0] - b[0], a[1] - b[1]); drag = null;
      } else { drag = [e.clientX - x, e.clientY - y]; }
    });
    viewer.addEventListener("pointermove", function (e) {
      if (!(e.pointerId in pointers)) return;
      pointers[e.pointerId] = [e.clientX, e.clientY];
      var ids = Object.keys(pointers);
      if (ids.length === 2 && pinch) {
        var a = pointers[ids[0]], b = pointers[ids[1]], d = Math.hypot(a[0] - b[0], a[1] - b[1]);
        var r = viewer.getBoundingClientRect();
        zoomAt(d / pinch, (a[0] + b[0]) / 2 - r.left, (a[1] + b[1]) / 2 - r.top); pinch = d;
      } else if (drag) { x = e.clientX - drag[0]; y = e.clientY - drag[1]; apply(); }
    });
    function up(e) { delete pointers[e.pointerId]; drag = null; pinch = null; }
    viewer.addEventListener("pointerup", up);
    viewer.addEventListener("pointercancel", up);
    viewer.addEventListener("dblclick", function (e) {
      var r = viewer.getBoundingClientRect(); zoomAt(2, e.clientX - r.left, e.clientY - r.top);
    });
    viewer.addEventListener("keydown", function (e) {
      var c = centre();
      if (e.key === "+" || e.key === "=") zoomAt(1.25, c[0], c[1]);
      else if (e.key === "-") zoomAt(0.8, c[0], c[1]);
      else if (e.key === "0") fit();
      else if (e.key.indexOf("Arrow") === 0) {
        var step = 60;
        if (e.key === "ArrowLeft") x += step; if (e.key === "ArrowRight") x -= step;
        if (e.key === "ArrowUp") y += step; if (e.key === "ArrowDown") y -= step;
        apply();
      } else return;
      e.preventDefault();
    });
    window.addEventListener("resize", fit);
    fit();
    return {
      fit: fit,
      zoom: function (f) { var c = centre(); zoomAt(f, c[0], c[1]); },
      one: function () { var c = centre(); zoomAt(1 / s, c[0], c[1]); },
      scale: function () { return s; }
    };
  }
  window.porescopeViewer = makeViewer;

  var viewer = document.getElementById("viewer"), stage = document.getElementById("stage");
  if (!viewer || !stage || stage.dataset.manual) return;
  var level = document.getElementById("zoom-level");
  var v = makeViewer(viewer, stage, function (s) { if (level) level.textContent = Math.round(s * 100) + " %"; });
  function bind(id, fn) { var el = document.getElementById(id); if (el) el.addEventListener("click", fn); }
  bind("zoom-in", function () { v.zoom(1.5); });
  bind("zoom-out", function () { v.zoom(1 / 1.5); });
  bind("zoom-fit", function () { v.fit(); });
  bind("zoom-1", function () { v.one(); });
  function toggle(boxId, layerIds) {
    var box = document.getElementById(boxId);
    if (!box) return;
    var sync = function () {
      layerIds.forEach(function (lid) { document.querySelectorAll(lid).forEach(function (el) { el.hidden = !box.checked; }); });
    };
    box.addEventListener("change", sync); sync();
  }
  toggle("toggle-pores", ["#layer-pores"]);
  toggle("toggle-regions", ["#layer-regions", ".region-label"]);
  document.querySelectorAll("img.layer").forEach(function (img) {
    img.addEventListener("load", function () { img.classList.add("loaded"); });
    if (img.complete) img.classList.add("loaded");
  });
})();
