// reportpress index: sorting, filtering and search. The page is complete without it; this only
// adds controls. Search loads its index (assets/search-index.js) on first use, as a script, so
// it works from file:// where fetch() of local JSON is refused. Filters, search and sorting work
// together (a search looks only at the reports the filters show) and are kept in the address
// (?status=…&priority=…&repository=…&q=…&sort=…&dir=…), so a link reproduces the view.
(function () {
  "use strict";
  var table = document.getElementById("reports");
  if (!table) return;
  var tbody = table.tBodies[0];
  var rows = Array.prototype.slice.call(tbody.rows);
  var heads = Array.prototype.slice.call(table.tHead.rows[0].cells);
  var controls = document.getElementById("controls");
  var params = new URLSearchParams(window.location.search);
  var CAP = 50;
  controls.hidden = false;

  // ---- Sorting: a button in each column header; again to reverse. Cells carry data-sort
  // (ISO times, labels) where their text does not sort right.
  var sortKey = null, sortDir = 1;
  var defaultOrder = document.getElementById("order").textContent;
  function cellValue(row, index) {
    var cell = row.cells[index];
    var v = cell.getAttribute("data-sort");
    if (v === null) return cell.textContent.trim().toLowerCase();
    // ISO times carry 0, 3, 6 or 9 fraction digits ("…:05Z", "…:05.250Z"): pad the seconds to 9
    // so that times within one second also compare right as text.
    return v.toLowerCase().replace(/:(\d\d)(?:\.(\d+))?(?=z$)/, function (_, s, f) {
      return ":" + s + "." + ((f || "") + "000000000").slice(0, 9);
    });
  }
  function sortBy(index, dir) {
    var numeric = heads[index].hasAttribute("data-numeric");
    rows.sort(function (a, b) {
      var x = cellValue(a, index), y = cellValue(b, index);
      if (numeric) { x = parseFloat(x) || 0; y = parseFloat(y) || 0; }
      return x < y ? -dir : x > y ? dir : 0;
    });
    rows.forEach(function (r) { tbody.appendChild(r); });
    heads.forEach(function (th, i) {
      if (i === index) th.setAttribute("aria-sort", dir > 0 ? "ascending" : "descending");
      else th.removeAttribute("aria-sort");
    });
    sortKey = index; sortDir = dir;
    var name = heads[index].textContent.trim().toLowerCase();
    document.getElementById("order").textContent = "sorted by " + name +
      (numeric ? (dir > 0 ? ", fewest first" : ", most first") : (dir > 0 ? ", ascending" : ", descending"));
  }
  heads.forEach(function (th, index) {
    var button = document.createElement("button");
    button.type = "button";
    button.className = "sort";
    while (th.firstChild) button.appendChild(th.firstChild);
    th.appendChild(button);
    button.addEventListener("click", function () {
      sortBy(index, sortKey === index ? -sortDir : 1);
      remember();
    });
  });

  // ---- Filters and search decide together which rows are shown.
  var filters = ["status", "priority", "repository"].map(function (name) {
    return { name: name, select: document.getElementById("f-" + name) };
  });
  var input = document.getElementById("q");
  var results = document.getElementById("results");
  var list = document.getElementById("result-list");
  var note = document.getElementById("results-note");
  var shown = document.getElementById("shown");
  var none = document.getElementById("none");
  function passesFilters(row) {
    return filters.every(function (f) {
      return !f.select.value || row.getAttribute("data-" + f.name) === f.select.value;
    });
  }
  function rowHref(row) {
    var a = row.cells[0].querySelector("a");
    return a ? a.getAttribute("href") : "";
  }

  var loading = null;
  function loadIndex(then) {
    if (window.reportpressSearch) return then();
    if (!loading) {
      loading = [];
      var s = document.createElement("script");
      s.src = input.getAttribute("data-index");
      s.onload = function () { loading.forEach(function (f) { f(); }); };
      s.onerror = function () {
        note.textContent = "The search index (" + s.src + ") could not be loaded.";
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
  // The reports a search finds, best first: (entry, the field that matched).
  function matches(words) {
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
    return found;
  }

  function words() {
    return input.value.toLowerCase().split(/\s+/).filter(Boolean);
  }
  function update() {
    var q = words();
    var found = null, hrefs = null;
    if (q.length && window.reportpressSearch) {
      found = matches(q);
      hrefs = {};
      found.forEach(function (f) { hrefs[f.r.u] = true; });
    }
    var count = 0, visible = {};
    rows.forEach(function (row) {
      var ok = passesFilters(row) && (!hrefs || hrefs[rowHref(row)] === true);
      row.hidden = !ok;
      if (ok) { count++; visible[rowHref(row)] = true; }
    });
    none.hidden = count > 0;
    shown.textContent = count + " of " + rows.length + " reports shown";
    list.textContent = "";
    note.textContent = "";
    if (!found) { results.hidden = true; return; }
    var inView = found.filter(function (f) { return visible[f.r.u] === true; });
    inView.slice(0, CAP).forEach(function (f) {
      var li = document.createElement("li");
      var a = document.createElement("a");
      a.href = f.r.u + (f.hit[2] ? "#a-" + f.hit[2] : "");
      a.textContent = f.r.t;
      li.appendChild(a);
      if (f.hit[0] !== "title") {
        var why = document.createElement("span");
        why.className = "muted";
        why.textContent = " — " + f.hit[0] + ": " + snippet(f.hit[1], q);
        li.appendChild(why);
      }
      list.appendChild(li);
    });
    if (!inView.length) {
      note.textContent = found.length ?
        "No report matches “" + input.value.trim() + "” with these filters (" + found.length + " without them)." :
        "No report matches “" + input.value.trim() + "”.";
    } else if (inView.length > CAP) {
      note.textContent = "Showing " + CAP + " of " + inView.length + " matches — refine the search.";
    } else {
      note.textContent = inView.length + (inView.length === 1 ? " match" : " matches") + ".";
    }
    list.hidden = !inView.length;
    results.hidden = false;
  }

  // The view in the address, without a new history entry per keystroke.
  function remember() {
    var p = new URLSearchParams();
    filters.forEach(function (f) { if (f.select.value) p.set(f.name, f.select.value); });
    if (input.value.trim()) p.set("q", input.value.trim());
    if (sortKey !== null) {
      p.set("sort", heads[sortKey].getAttribute("data-key"));
      if (sortDir < 0) p.set("dir", "desc");
    }
    var query = p.toString();
    try {
      window.history.replaceState(null, "", window.location.pathname + (query ? "?" + query : "") + window.location.hash);
    } catch (e) { /* some file:// settings refuse it: the view still works */ }
  }
  filters.forEach(function (f) {
    f.select.addEventListener("change", function () { update(); remember(); });
  });
  input.addEventListener("input", function () {
    remember();
    if (!words().length) return update();
    loadIndex(update);
  });

  // State from the address.
  filters.forEach(function (f) { if (params.get(f.name)) f.select.value = params.get(f.name); });
  if (params.get("sort")) {
    var keys = heads.map(function (th) { return th.getAttribute("data-key"); });
    var i = keys.indexOf(params.get("sort"));
    if (i >= 0) sortBy(i, params.get("dir") === "desc" ? -1 : 1);
  }
  if (sortKey === null) document.getElementById("order").textContent = defaultOrder;
  update();
  if (params.get("q")) { input.value = params.get("q"); loadIndex(update); }
})();
