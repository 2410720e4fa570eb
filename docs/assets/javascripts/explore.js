/* Roundup KB Explore: every entry in one list, filtered in the browser (no framework).
 *
 * Reads data/explore.json (see roundupkb/explore.py for its shape). State lives in the URL
 * query: ?q=words&topic=slug&year=2021&source=Name&sort=oldest. Facet changes push a history
 * entry (the back button undoes them); typing replaces the current one. Results render in
 * pages of PAGE entries; facet option labels carry counts under the other filters.
 */
(function () {
  "use strict";
  var PAGE = 50;
  var DEBOUNCE_MS = 150;
  var root = document.getElementById("rkb-explore");
  if (!root) return;
  var form = root.querySelector("form");
  var q = document.getElementById("rkb-explore-q");
  var selects = {
    topic: document.getElementById("rkb-explore-topic"),
    year: document.getElementById("rkb-explore-year"),
    source: document.getElementById("rkb-explore-source"),
  };
  var sort = document.getElementById("rkb-explore-sort");
  var status = document.getElementById("rkb-explore-status");
  var list = document.getElementById("rkb-explore-results");
  var more = document.getElementById("rkb-explore-more");
  var base = root.getAttribute("data-root") || "";
  var data = null;
  var rows = [];
  var matches = [];
  var shown = 0;
  var timer = 0;

  function readState() {
    var params = new URLSearchParams(window.location.search);
    if (typeof window.rkbExploreQuery === "string") {
      // Set aside by the page's inline script so the site search does not open on it.
      params.set("q", window.rkbExploreQuery);
      delete window.rkbExploreQuery;
    }
    return {
      q: params.get("q") || "",
      topic: params.get("topic") || "",
      year: params.get("year") || "",
      source: params.get("source") || "",
      sort: params.get("sort") === "oldest" ? "oldest" : "newest",
    };
  }

  function formState() {
    return {
      q: q.value.trim(),
      topic: selects.topic.value,
      year: selects.year.value,
      source: selects.source.value,
      sort: sort.value,
    };
  }

  function queryString(state) {
    var params = new URLSearchParams();
    ["q", "topic", "year", "source"].forEach(function (key) {
      if (state[key]) params.set(key, state[key]);
    });
    if (state.sort === "oldest") params.set("sort", "oldest");
    var text = params.toString();
    return text ? "?" + text : window.location.pathname;
  }

  function writeUrl(state, push) {
    var url = queryString(state);
    if (url === (window.location.search || window.location.pathname)) return;
    if (push) window.history.pushState(state, "", url);
    else window.history.replaceState(state, "", url);
  }

  function prepare(json) {
    data = json;
    rows = json.entries.map(function (e, index) {
      var issue = json.issues[e[3]];
      var source = e[5] >= 0 ? json.sources[e[5]] : "";
      return {
        index: index,
        title: e[0],
        url: e[1],
        href: base + issue[1] + "#" + e[2],
        issue: issue[0],
        date: issue[2],
        year: issue[2].slice(0, 4),
        topic: json.topics[e[4]][0],
        topicTitle: json.topics[e[4]][1],
        source: source,
        attribution: e[6],
        excerpt: e[7],
        text: (e[0] + " " + e[6] + " " + source + " " + e[7]).toLowerCase(),
      };
    });
  }

  function tokens(text) {
    return text.toLowerCase().split(/\s+/).filter(Boolean);
  }

  function matchesText(row, words) {
    for (var i = 0; i < words.length; i++) {
      if (row.text.indexOf(words[i]) === -1) return false;
    }
    return true;
  }

  // One pass: the matching rows, and each facet's counts under the other filters.
  function compute(state) {
    var words = tokens(state.q);
    var counts = { topic: {}, year: {}, source: {} };
    var keys = ["topic", "year", "source"];
    var out = [];
    for (var i = 0; i < rows.length; i++) {
      var row = rows[i];
      if (words.length && !matchesText(row, words)) continue;
      var misses = 0;
      var missed = "";
      for (var k = 0; k < keys.length; k++) {
        var key = keys[k];
        if (state[key] && row[key] !== state[key]) {
          misses += 1;
          missed = key;
        }
      }
      if (misses === 0) {
        out.push(row);
        for (k = 0; k < keys.length; k++) {
          var value = row[keys[k]];
          if (value) counts[keys[k]][value] = (counts[keys[k]][value] || 0) + 1;
        }
      } else if (misses === 1 && row[missed]) {
        counts[missed][row[missed]] = (counts[missed][row[missed]] || 0) + 1;
      }
    }
    if (state.sort === "oldest") out.reverse();
    return { rows: out, counts: counts };
  }

  function label(text, count) {
    return text + " (" + (count || 0) + ")";
  }

  function updateFacets(state, counts) {
    Array.prototype.forEach.call(selects.topic.options, function (option) {
      if (!option.value) return;
      option.textContent = label(option.getAttribute("data-title") || option.textContent, counts.topic[option.value]);
    });
    Array.prototype.forEach.call(selects.year.options, function (option) {
      if (option.value) option.textContent = label(option.value, counts.year[option.value]);
    });
    // Sources: those with matches, most first, plus the selected one.
    var names = Object.keys(counts.source).sort(function (a, b) {
      return counts.source[b] - counts.source[a] || a.localeCompare(b);
    });
    if (state.source && names.indexOf(state.source) === -1) names.unshift(state.source);
    var select = selects.source;
    while (select.options.length > 1) select.remove(1);
    var fragment = document.createDocumentFragment();
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = label(name, counts.source[name]);
      fragment.appendChild(option);
    });
    select.appendChild(fragment);
    select.value = state.source;
  }

  function item(row) {
    var li = document.createElement("li");
    var title = document.createElement("p");
    title.className = "rkb-explore__title";
    var link = document.createElement("a");
    link.textContent = row.title;
    link.href = row.url || row.href;
    if (row.url) link.rel = "noopener";
    title.appendChild(link);
    li.appendChild(title);
    var meta = document.createElement("p");
    meta.className = "rkb-explore__meta";
    var parts = [];
    if (row.attribution) parts.push(row.attribution);
    if (row.source && row.attribution.indexOf(row.source) === -1) parts.push(row.source);
    parts.push(row.topicTitle);
    parts.push(row.date);
    meta.appendChild(document.createTextNode(parts.join(" · ") + " · "));
    var where = document.createElement("a");
    where.href = row.href;
    where.textContent = "in " + row.issue;
    meta.appendChild(where);
    li.appendChild(meta);
    if (row.excerpt) {
      var excerpt = document.createElement("p");
      excerpt.className = "rkb-explore__excerpt";
      excerpt.textContent = row.excerpt;
      li.appendChild(excerpt);
    }
    return li;
  }

  function renderMore() {
    var fragment = document.createDocumentFragment();
    var stop = Math.min(shown + PAGE, matches.length);
    for (var i = shown; i < stop; i++) fragment.appendChild(item(matches[i]));
    list.appendChild(fragment);
    shown = stop;
    more.hidden = shown >= matches.length;
    more.textContent = "Show more (" + (matches.length - shown) + " left)";
  }

  function apply(state) {
    var result = compute(state);
    matches = result.rows;
    shown = 0;
    list.textContent = "";
    updateFacets(state, result.counts);
    renderMore();
    var n = matches.length;
    status.textContent = n === 0 ? "No entries match." :
      n + (n === 1 ? " entry matches" : " entries match") + (n > shown ? ", showing the first " + shown : "") + ".";
    root.setAttribute("data-ready", "true");
    root.setAttribute("data-count", String(n));
  }

  function setForm(state) {
    q.value = state.q;
    ["topic", "year"].forEach(function (key) {
      var select = selects[key];
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === state[key]; });
      select.value = known ? state[key] : "";
    });
    selects.source.value = state.source;
    sort.value = state.sort;
  }

  // Put q back in the address once the site search has read it (after DOMContentLoaded).
  function restoreUrl(state) {
    function put() { window.history.replaceState(state, "", queryString(state)); }
    if (document.readyState === "loading") {
      document.addEventListener("DOMContentLoaded", function () { window.setTimeout(put, 0); });
    } else {
      window.setTimeout(put, 0);
    }
  }

  function onChange(push) {
    var state = formState();
    writeUrl(state, push);
    apply(state);
  }

  function start(json) {
    prepare(json);
    Array.prototype.forEach.call(selects.topic.options, function (o) {
      if (o.value) o.setAttribute("data-title", o.textContent);
    });
    var state = readState();
    setForm(state);
    apply(state);
    restoreUrl(state);
    if (window.performance && performance.mark) performance.mark("rkb-explore-first-results");
    q.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(function () { onChange(false); }, DEBOUNCE_MS);
    });
    [selects.topic, selects.year, selects.source, sort].forEach(function (select) {
      select.addEventListener("change", function () { onChange(true); });
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      window.clearTimeout(timer);
      onChange(true);
    });
    form.addEventListener("reset", function (event) {
      event.preventDefault();
      setForm({ q: "", topic: "", year: "", source: "", sort: "newest" });
      onChange(true);
      q.focus();
    });
    more.addEventListener("click", function () {
      var first = shown;
      renderMore();
      var next = list.children[first];
      if (next) {
        var link = next.querySelector("a");
        if (link) link.focus();
      }
    });
    window.addEventListener("popstate", function () {
      var state = readState();
      setForm(state);
      apply(state);
    });
  }

  fetch(root.getAttribute("data-src"))
    .then(function (response) {
      if (!response.ok) throw new Error("HTTP " + response.status);
      return response.json();
    })
    .then(start)
    .catch(function (error) {
      status.textContent = "The entries could not be loaded (" + error.message + ").";
    });
})();
