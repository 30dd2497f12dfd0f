// Analyze page: file or camera, quick capture check before scoring. No libraries.
(function () {
  "use strict";
  var form = document.getElementById("analyze-form");
  if (!form) return;
  var input = document.getElementById("photo");
  var preview = document.getElementById("preview"), previewWrap = document.getElementById("preview-wrap");
  var qBox = document.getElementById("quality"), qVerdict = document.getElementById("quality-verdict");
  var qList = document.getElementById("quality-problems"), qNote = document.getElementById("quality-note");
  var filePane = document.getElementById("file-pane"), camPane = document.getElementById("camera-pane");
  var video = document.getElementById("video"), camStatus = document.getElementById("camera-status");
  var startBtn = document.getElementById("start-camera"), capBtn = document.getElementById("capture");
  var busy = document.getElementById("busy"), submit = document.getElementById("analyze-btn");
  var stream = null, liveTimer = null, checking = false;
  var QUICK_SIDE = 1280;

  function showQuality(res) {
    qBox.hidden = false;
    qList.innerHTML = "";
    if (res.error) {
      qVerdict.textContent = "cannot read"; qVerdict.className = "pill blocking";
      var li = document.createElement("li"); li.className = "blocking"; li.textContent = "error: " + res.error; qList.appendChild(li);
      qNote.textContent = "";
      submit.textContent = "Analyze";
      previewWrap.hidden = true;  // a file the analysis cannot read shows no (half-drawn) preview
      return;
    }
    var words = { ok: "looks good", ok_with_warnings: "usable, see notes", retake: "please retake" };
    qVerdict.textContent = words[res.verdict] || res.verdict;
    submit.textContent = res.verdict === "retake" ? "Analyze anyway" : "Analyze";
    qVerdict.className = "pill " + (res.verdict === "retake" ? "blocking" : res.verdict === "ok" ? "ok" : "warning");
    (res.quality.problems || []).forEach(function (p) {
      var li = document.createElement("li"); li.className = p.severity;
      var b = document.createElement("b"); b.textContent = p.severity + " ";
      li.appendChild(b); li.appendChild(document.createTextNode(p.message)); qList.appendChild(li);
    });
    qNote.textContent = res.note + " (" + res.width_px + "×" + res.height_px + " px, checked in " + Math.round(res.elapsed_ms) + " ms)";
  }

  function check(blob, name) {
    if (checking) return Promise.resolve();
    checking = true;
    var fd = new FormData();
    fd.append("photo", blob, name || "photo");
    var scale = form.querySelector("[name=px_per_mm]").value;
    if (scale) fd.append("px_per_mm", scale);
    var token = document.querySelector("meta[name=csrf-token]");
    return fetch("/api/quality", { method: "POST", body: fd, headers: { "X-CSRF-Token": token ? token.content : "" } })
      .then(function (r) { return r.json(); })
      .then(showQuality)
      .catch(function () { showQuality({ error: "the capture check could not run" }); })
      .finally(function () { checking = false; });
  }

  // The quick check gets the file itself (not a copy the browser re-drew):
  // the server reads its header and decodes it reduced, so a broken, foreign
  // or oversized file gets the full analysis's own error and the real size.
  input.addEventListener("change", function () {
    var f = input.files && input.files[0];
    if (!f) return;
    preview.src = URL.createObjectURL(f); previewWrap.hidden = false;
    check(f, f.name);
  });

  // What detail a photo must hold depends on its scale: a scale given or changed after the photo was chosen
  // checks it again (an enlarged copy passes without one and is refused at 10 px/mm).
  form.querySelector("[name=px_per_mm]").addEventListener("change", function () {
    var f = input.files && input.files[0];
    if (f && !stream) check(f, f.name);
  });

  // Drag and drop onto the drop zone.
  var drop = form.querySelector(".drop");
  ["dragenter", "dragover"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.add("over"); }); });
  ["dragleave", "drop"].forEach(function (t) { drop.addEventListener(t, function (e) { e.preventDefault(); drop.classList.remove("over"); }); });
  drop.addEventListener("drop", function (e) {
    if (e.dataTransfer.files.length) { input.files = e.dataTransfer.files; input.dispatchEvent(new Event("change")); }
  });

  // Camera.
  form.querySelectorAll("input[name=source]").forEach(function (r) {
    r.addEventListener("change", function () {
      var cam = form.querySelector("input[name=source]:checked").value === "camera";
      camPane.hidden = !cam; filePane.hidden = cam;
      if (!cam) stopCamera();
    });
  });
  function frameBlob(side) {
    var c = document.createElement("canvas"), w = video.videoWidth, h = video.videoHeight;
    var f = side ? Math.min(1, side / Math.max(w, h)) : 1;
    c.width = Math.round(w * f); c.height = Math.round(h * f);
    c.getContext("2d").drawImage(video, 0, 0, c.width, c.height);
    return new Promise(function (res) { c.toBlob(res, "image/jpeg", 0.95); });
  }
  function stopCamera() {
    if (liveTimer) clearInterval(liveTimer); liveTimer = null;
    if (stream) stream.getTracks().forEach(function (t) { t.stop(); }); stream = null;
    capBtn.disabled = true;
  }
  startBtn.addEventListener("click", function () {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      camStatus.textContent = "This browser cannot use the camera here (it needs http://127.0.0.1 or localhost)."; return;
    }
    navigator.mediaDevices.getUserMedia({ video: { width: { ideal: 4096 }, height: { ideal: 3072 }, facingMode: "environment" }, audio: false })
      .then(function (s) {
        stream = s; video.srcObject = s; capBtn.disabled = false;
        camStatus.textContent = "Camera on. Checking the picture every 2 s…";
        liveTimer = setInterval(function () { if (video.videoWidth) frameBlob(QUICK_SIDE).then(function (b) { check(b, "camera frame"); }); }, 2000);
      })
      .catch(function (e) { camStatus.textContent = "Camera not available: " + (e && e.message ? e.message : e); });
  });
  capBtn.addEventListener("click", function () {
    frameBlob(0).then(function (b) {
      var file = new File([b], "camera.jpg", { type: "image/jpeg" });
      var dt = new DataTransfer(); dt.items.add(file); input.files = dt.files;
      preview.src = URL.createObjectURL(b); previewWrap.hidden = false;
      stopCamera();
      camStatus.textContent = "Captured " + video.videoWidth + "×" + video.videoHeight + " px. Check the result below, then Analyze.";
      check(b, "camera.jpg");
    });
  });

  form.addEventListener("submit", function (e) {
    if (!input.files || !input.files.length) {
      e.preventDefault();
      showQuality({ error: "choose a photo or capture one with the camera first." });
      return;
    }
    busy.hidden = false; submit.disabled = true;
  });
})();
