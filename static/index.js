// reportpress index: sorting, filtering and search. The page is complete without it; this only
// adds controls. Search loads its index (assets/search-index.js) on first use, as a script, so
// it works from file:// where fetch() of local JSON is refused.
(function () {
  "use strict";
  var table = document.getElementById("reports");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var controls = document.getElementById("controls");
  var params = new URLSearchParams(window.location.search);
  controls.hidden = false;

  // Sorting: click a column header; again to reverse. Cells carry data-sort (ISO times, numbers).
  var sortKey = null, sortDir = 1;
  function cellValue(row, index) {
    var cell = row.cells[index];
    var v = cell.getAttribute("data-sort");
    if (v === null) return cell.textContent.trim().toLowerCase();
    // ISO times carry 0, 3, 6 or 9 fraction digits ("…:05Z", "…:05.250Z"): pad the seconds to 9
    // so that times within one second also compare right as text.
    return v.replace(/:(\d\d)(?:\.(\d+))?(?=Z$)/, function (_, s, f) {
      return ":" + s + "." + ((f || "") + "000000000").slice(0, 9);
    });
  }
  function sortBy(index, dir) {
    var numeric = table.tHead.rows[0].cells[index].hasAttribute("data-numeric");
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (numeric) { x = parseFloat(x) || 0; y = parseFloat(y) || 0; }
      return x < y ? -dir : x > y ? dir : 0;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, i) {
      th.setAttribute("aria-sort", i === index ? (dir > 0 ? "ascending" : "descending") : "none");
    });
    sortKey = index; sortDir = dir;
  }
  Array.prototype.forEach.call(table.tHead.rows[0].cells, function (th, index) {
    th.tabIndex = 0;
    th.classList.add("sortable");
    function toggle() { sortBy(index, sortKey === index ? -sortDir : 1); }
    th.addEventListener("click", toggle);
    th.addEventListener("keydown", function (e) { if (e.key === "Enter") toggle(); });
  });

  // Filters: status, priority, repository.
  var filters = ["status", "priority", "repository"].map(function (name) {
    return { name: name, select: document.getElementById("f-" + name) };
  });
  function applyFilters() {
    var shown = 0;
    rows.forEach(function (row) {
      var ok = filters.every(function (f) {
        return !f.select.value || row.getAttribute("data-" + f.name) === f.select.value;
      });
      row.hidden = !ok;
      if (ok) shown++;
    });
    document.getElementById("shown").textContent = shown + " of " + rows.length + " reports shown";
  }
  filters.forEach(function (f) { f.select.addEventListener("change", applyFilters); });

  // Search.
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var loading = null;
  function loadIndex(then) {
    if (window.reportpressSearch) return then();
    if (!loading) {
      loading = [];
      var s = document.createElement("script");
      s.src = input.getAttribute("data-index");
      s.onload = function () { loading.forEach(function (f) { f(); }); };
      s.onerror = function () {
        results.textContent = "The search index (" + s.src + ") could not be loaded.";
        results.hidden = false;
      };
      document.head.appendChild(s);
    }
    loading.push(then);
  }
  // The text around the first matching word.
  function snippet(text, words) {
    var lower = text.toLowerCase(), at = -1;
    words.forEach(function (w) { var i = lower.indexOf(w); if (i >= 0 && (at < 0 || i < at)) at = i; });
    var start = Math.max(0, at - 40);
    return (start > 0 ? "…" : "") + text.slice(start, start + 140) + (start + 140 < text.length ? "…" : "");
  }
  function search() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    results.textContent = "";
    if (!words.length) { results.hidden = true; return; }
    var found = [];
    window.reportpressSearch.forEach(function (r) {
      var fields = [["title", r.t, ""]].concat([["summary", r.s, ""]],
        r.n.map(function (n) { return ["note", n[1], n[0]]; }),
        r.p.map(function (p) { return ["file", p[1], p[0]]; }));
      var all = fields.map(function (f) { return f[1]; }).join("\n").toLowerCase();
      if (!words.every(function (w) { return all.indexOf(w) >= 0; })) return;
      var hit = fields.filter(function (f) {
        var text = f[1].toLowerCase();
        return words.some(function (w) { return text.indexOf(w) >= 0; });
      })[0];
      found.push({ r: r, hit: hit, rank: hit[0] === "title" ? 0 : 1 });
    });
    found.sort(function (a, b) { return a.rank - b.rank || (a.r.t < b.r.t ? -1 : 1); });
    found.slice(0, 50).forEach(function (f) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = f.r.u + (f.hit[2] ? "#a-" + f.hit[2] : "");
      a.textContent = f.r.t;
      li.appendChild(a);
      if (f.hit[0] !== "title") {
        var why = document.createElement("span");
        why.className = "muted";
        why.textContent = " — " + f.hit[0] + ": " + snippet(f.hit[1], words);
        li.appendChild(why);
      }
      results.appendChild(li);
    });
    if (!found.length) {
      var none = document.createElement("li");
      none.textContent = "No report matches.";
      results.appendChild(none);
    }
    results.hidden = false;
  }
  input.addEventListener("input", function () { loadIndex(search); });

  // State from the address, so a view can be linked (and tested): ?status=…&sort=…&q=…
  filters.forEach(function (f) { if (params.get(f.name)) f.select.value = params.get(f.name); });
  applyFilters();
  if (params.get("sort")) {
    var keys = Array.prototype.map.call(table.tHead.rows[0].cells, function (th) { return th.getAttribute("data-key"); });
    var i = keys.indexOf(params.get("sort"));
    if (i >= 0) sortBy(i, params.get("dir") === "desc" ? -1 : 1);
  }
  if (params.get("q")) { input.value = params.get("q"); loadIndex(search); }
})();
