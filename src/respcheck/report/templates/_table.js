(function () {
  "use strict";
  // Sorting and filtering for the one table marked .sortable; no external assets, works from file://.
  var table = document.querySelector("table.sortable");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  rows.forEach(function (tr, i) { tr.dataset.index = String(i); });
  var family = document.getElementById("filter-family");
  var verdict = document.getElementById("filter-verdict");
  var text = document.getElementById("filter-text");
  var differs = document.getElementById("filter-differs");
  var count = document.getElementById("shown-count");

  function apply() {
    var f = family ? family.value : "", v = verdict ? verdict.value : "";
    var q = text ? text.value.trim().toLowerCase() : "", d = differs ? differs.checked : false;
    var shown = 0;
    rows.forEach(function (tr) {
      var ok = (!f || tr.dataset.family === f) &&
        (!v || (" " + tr.dataset.verdicts + " ").indexOf(" " + v + " ") >= 0) &&
        (!q || tr.textContent.toLowerCase().indexOf(q) >= 0) &&
        (!d || tr.dataset.differs === "true");
      tr.hidden = !ok;
      if (ok) shown++;
    });
    if (count) count.textContent = String(shown);
    var state = [];
    if (f) state.push("family=" + encodeURIComponent(f));
    if (v) state.push("verdict=" + encodeURIComponent(v));
    if (d) state.push("differs=1");
    if (history.replaceState) history.replaceState(null, "", state.length ? "#" + state.join("&") : location.pathname);
  }

  function key(tr, col) {
    var cell = tr.cells[col];
    return cell ? (cell.dataset.sort !== undefined ? cell.dataset.sort : cell.textContent.trim()) : "";
  }

  function sortBy(th) {
    var col = th.cellIndex;
    var dir = th.getAttribute("aria-sort") === "ascending" ? -1 : 1;
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (h) { h.removeAttribute("aria-sort"); });
    th.setAttribute("aria-sort", dir === 1 ? "ascending" : "descending");
    var sorted = rows.slice().sort(function (a, b) {
      var x = key(a, col), y = key(b, col), nx = parseFloat(x), ny = parseFloat(y), c;
      if (x !== "" && y !== "" && !isNaN(nx) && !isNaN(ny) && String(nx) === x && String(ny) === y) c = nx - ny;
      else c = x.localeCompare(y);
      return c * dir || (a.dataset.index - b.dataset.index);
    });
    sorted.forEach(function (tr) { tbody.appendChild(tr); });
  }

  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th) {
    th.tabIndex = 0;
    th.addEventListener("click", function () { sortBy(th); });
    th.addEventListener("keydown", function (e) { if (e.key === "Enter" || e.key === " ") { e.preventDefault(); sortBy(th); } });
  });
  [family, verdict, differs].forEach(function (el) { if (el) el.addEventListener("change", apply); });
  if (text) text.addEventListener("input", apply);

  // a link can carry the filter: report.html#verdict=fail&family=streaming
  function fromHash() {
    if (family) family.value = "";
    if (verdict) verdict.value = "";
    if (differs) differs.checked = false;
    location.hash.replace(/^#/, "").split("&").forEach(function (kv) {
      var p = kv.split("="), val = decodeURIComponent(p[1] || "");
      if (p[0] === "family" && family) family.value = val;
      if (p[0] === "verdict" && verdict) verdict.value = val;
      if (p[0] === "differs" && differs) differs.checked = true;
    });
    apply();
  }
  window.addEventListener("hashchange", fromHash);
  fromHash();
})();
