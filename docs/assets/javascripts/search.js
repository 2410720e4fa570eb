/*
 * Answer Material's header search box with Pagefind (extra.search_engine: pagefind).
 *
 * overrides/partials/search.html renders Material's search markup without the hooks that start
 * Material's lunr worker, and marks it with data-rkb-search (the URL of pagefind.js). This script
 * loads Pagefind on first use, queries it as the reader types, and renders each entry as a
 * Material search result (md-search-result__item / __link), with Material's keyboard handling:
 * "/", "s" or "f" open search, arrows move, Enter follows, Escape closes.
 *
 * Order: an issue leads only when the query names it (its number, or at least half the words of
 * its name); otherwise links lead, and the other issues follow or interleave by Pagefind's score.
 * Explore (explore.js) ranks its links with the same weights, read from window.rkbSearch.
 */
(function () {
  "use strict";

  var root = document.querySelector("[data-rkb-search]");
  if (!root) return;

  var input = root.querySelector(".md-search__input");
  var meta = root.querySelector(".md-search-result__meta");
  var list = root.querySelector(".md-search-result__list");
  var toggle = document.getElementById("__search");
  var form = input.form;
  var pagefindUrl = new URL(root.getAttribute("data-rkb-search"), document.baseURI);
  var siteRoot = new URL("../", pagefindUrl);
  var exploreUrl = new URL("explore/", siteRoot);
  var MAX_RESULTS = 10;
  var MAX_ISSUES = 3;
  var LEAD = 2;  // links shown before any issue the query does not name
  var QUESTION = 4;  // words from which a query is read as a question
  var DEBOUNCE_MS = 60;
  // Pagefind's boost for a match in a meta field: a title counts most; `also` holds a record's
  // other spellings of its words (roundupkb/records.py); the fields a result only displays
  // count for nothing.
  var RANKING = { metaWeights: { title: 5, also: 1, attribution: 1, topic: 1, issue: 0, date: 0, kind: 0, links: 0 } };
  var STOP = {};
  ("a an and are as at be by for from how i in is it of on or our the to we what with you your")
    .split(" ").forEach(function (word) { STOP[word] = true; });
  window.rkbSearch = { ranking: RANKING };

  var translations = {};
  try {
    translations = JSON.parse(document.getElementById("__config").textContent).translations || {};
  } catch (error) {
    translations = {};
  }

  function t(key, value) {
    var text = translations[key] || "";
    return typeof value === "undefined" ? text : text.replace("#", String(value));
  }

  var pagefind = null;

  function load() {
    if (!pagefind) {
      pagefind = import(pagefindUrl.href).then(function (module) {
        return module.options({ baseUrl: siteRoot.pathname, excerptLength: 24, noWorker: true,
                                ranking: RANKING }).then(function () {
          module.init();
          return module;
        });
      });
      pagefind.catch(function () {
        pagefind = null;
        meta.textContent = t("search.result.none");
      });
    }
    return pagefind;
  }

  function setToggle(active) {
    if (toggle.checked !== active) {
      toggle.checked = active;
      toggle.dispatchEvent(new Event("change"));
    }
  }

  function escapeHtml(text) {
    return String(text)
      .replace(/&/g, "&amp;")
      .replace(/</g, "&lt;")
      .replace(/>/g, "&gt;")
      .replace(/"/g, "&quot;");
  }

  function terms(query) {
    return query
      .split(/[\s\-,:!=\[\]()"\/.]+/)
      .filter(function (term) { return term.length > 1; })
      .map(function (term) { return term.replace(/[.*+?^${}()|[\]\\]/g, "\\$&"); });
  }

  // Escape `text` and wrap the words of the query (at word starts) in <mark>.
  function highlight(text, query) {
    var words = terms(query);
    if (!words.length) return escapeHtml(text);
    var pattern = new RegExp("(^|[^\\p{L}\\p{N}])(" + words.join("|") + ")", "giu");
    var out = "";
    var last = 0;
    String(text).replace(pattern, function (match, before, word, offset) {
      var start = offset + before.length;
      out += escapeHtml(text.slice(last, start)) + "<mark>" + escapeHtml(word) + "</mark>";
      last = start + word.length;
      return match;
    });
    return out + escapeHtml(text.slice(last));
  }

  // Pagefind's excerpt: keep only its <mark> tags, escape everything else (parsed inert).
  function excerpt(html) {
    var holder = document.createElement("template");
    holder.innerHTML = html.replace(/\brkbentry\b\s*/g, "");
    var out = "";
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeType === Node.TEXT_NODE) out += escapeHtml(node.textContent);
      else out += (node.nodeName === "MARK" ? "<mark>" : "") + escapeHtml(node.textContent) +
        (node.nodeName === "MARK" ? "</mark>" : "");
    });
    return out;
  }

  function result(data, query) {
    var m = data.meta || {};
    var details = m.kind === "issue"
      ? [m.date, m.links].filter(Boolean).join(" · ")
      : [m.attribution, m.topic, m.issue, m.date].filter(Boolean).join(" · ");
    var item = document.createElement("li");
    item.className = "md-search-result__item" + (m.kind === "issue" ? " rkb-search-result--issue" : "");
    item.innerHTML =
      '<a class="md-search-result__link" tabindex="-1" href="' + escapeHtml(data.url) + '">' +
      '<article class="md-search-result__article md-typeset">' +
      '<div class="md-search-result__icon md-icon"></div>' +
      "<h1>" + highlight(m.title || data.url, query) + "</h1>" +
      (details ? '<p class="rkb-search-result__details">' + highlight(details, query) + "</p>" : "") +
      (data.excerpt ? '<p class="md-search-result__teaser">' + excerpt(data.excerpt) + "</p>" : "") +
      "</article></a>";
    return item;
  }

  function heading(text) {
    var item = document.createElement("li");
    item.className = "rkb-search-group";
    item.setAttribute("role", "presentation");
    item.textContent = text;
    return item;
  }

  function matched(result) {
    return result.score > 0;
  }

  // Pagefind finds what holds every word of a query. A question ("how do I avoid burnout") is
  // asked without its small words, which a short text seldom holds all of.
  function question(query) {
    var all = query.split(/\s+/);
    var kept = all.filter(function (w) { return !STOP[w.toLowerCase()]; });
    return all.length >= QUESTION && kept.length >= 2 ? kept.join(" ") : query;
  }

  // Links holding any of the query's words, by the sum of their scores for each word (holding
  // more of the words counts most).
  function anyWords(pf, asked) {
    var each = asked.split(/\s+/).map(function (word) { return pf.search(word, { filters: { kind: "entry" } }); });
    return Promise.all(each).then(function (searches) {
      var byId = {};
      searches.forEach(function (search) {
        (search ? search.results : []).filter(matched).forEach(function (r) {
          var hit = byId[r.id] || (byId[r.id] = { id: r.id, score: 0, data: r.data });
          hit.score += r.score;
        });
      });
      return Object.keys(byId).map(function (id) { return byId[id]; })
        .sort(function (a, b) { return b.score - a.score; });
    });
  }

  function words(text) {
    return (String(text).toLowerCase().match(/[\p{L}\p{N}]+/gu) || []).filter(function (w) { return !STOP[w]; });
  }

  // Does the query name this issue? Its number (`57`, `#57`), or at least half the words of its
  // name with every word of the query among them (the last may be half typed). `title` is the
  // issue's heading, `#57 · Name` (or the name alone).
  function namesIssue(query, title) {
    var parts = /^#(\d+) · ([\s\S]*)$/.exec(title || "") || [null, "", title || ""];
    var asked = query.trim();
    if (/^#?\d+$/.test(asked)) return asked.replace("#", "") === parts[1];
    var mine = words(asked);
    var name = words(parts[2]);
    if (!mine.length || !name.length) return false;
    var every = mine.every(function (w) { return name.some(function (n) { return n.indexOf(w) === 0; }); });
    var covered = name.filter(function (n) { return mine.some(function (w) { return n.indexOf(w) === 0; }); });
    return every && 2 * covered.length >= name.length;
  }

  // The order shown: issues the query names; then the best LEAD links; then the other links and
  // issues by Pagefind's score.
  function order(issues, entries, query) {
    var named = issues.filter(function (r) { return namesIssue(query, (r.data.meta || {}).title); });
    var rest = issues.filter(function (r) { return named.indexOf(r) === -1; });
    var byScore = function (a, b) { return b.score - a.score; };
    var lead = entries.slice().sort(byScore).slice(0, LEAD);
    var mixed = entries.filter(function (r) { return lead.indexOf(r) === -1; }).concat(rest).sort(byScore);
    return named.concat(lead, mixed);
  }

  // Results in order; when issues are among them, a heading wherever the kind changes.
  function render(results, query, total) {
    list.innerHTML = "";
    var last = null;
    var grouped = results.some(function (r) { return r.kind === "issue"; });
    results.forEach(function (r) {
      if (grouped && r.kind !== last) list.appendChild(heading(r.kind === "issue" ? "Issues" : "Links"));
      last = r.kind;
      list.appendChild(result(r.data, query));
    });
    if (total > results.filter(function (r) { return r.kind === "entry"; }).length) {
      var all = document.createElement("li");
      all.className = "rkb-search-all";
      var link = document.createElement("a");
      link.className = "md-search-result__link rkb-search-all__link";
      link.href = exploreUrl.href + "?q=" + encodeURIComponent(query);
      link.textContent = "See all " + total + " links in Explore";
      all.appendChild(link);
      list.appendChild(all);
    }
    var count = results.filter(function (r) { return r.kind === "issue"; }).length + total;
    if (!query) meta.textContent = t("search.result.placeholder");
    else if (!count) meta.textContent = t("search.result.none");
    else if (count === 1) meta.textContent = t("search.result.one");
    else meta.textContent = t("search.result.other", count);
    root.setAttribute("data-query", query);
  }

  var sequence = 0;
  var timer = null;

  function run() {
    var query = input.value.trim();
    var mine = ++sequence;
    if (!query) {
      render([], "", 0);
      return;
    }
    var pf = null;
    var asked = query;
    load().then(function (module) {
      pf = module;
      // `57` or `#57`: issue 57 itself (words would also find #157 and every "57" in a text);
      // `#57` only that, `57` also the words (a year, a count)
      var number = /^(#?)(\d+)$/.exec(query);
      var byWords = !number || !number[1];
      asked = question(query);
      return Promise.all([byWords ? pf.search(asked, { filters: { kind: "issue" } }) : { results: [] },
                          byWords ? pf.search(asked, { filters: { kind: "entry" } }) : { results: [] },
                          number ? pf.search(null, { filters: { kind: "issue", number: number[2] } }) : null]);
    }).then(function (searches) {
      if (mine !== sequence || !searches[0] || !searches[1]) return null;
      // Pagefind searches every meta field; a result whose words are only in the fields a result
      // displays (its issue, date, kind) scores nothing and is no match.
      var numbered = searches[2] ? searches[2].results : [];
      var issues = numbered.concat(searches[0].results.filter(function (r) {
        return matched(r) && !numbered.some(function (n) { return n.id === r.id; });
      }));
      var entries = searches[1].results.filter(matched);
      if (entries.length || !/\s/.test(asked)) return [issues, entries, entries.length];
      // No link holds every word: those holding any of them, by their summed scores.
      return anyWords(pf, asked).then(function (some) {
        return [issues, some, Math.min(some.length, MAX_RESULTS)];
      });
    }).then(function (sets) {
      if (!sets || mine !== sequence) return null;
      var issues = sets[0];
      var entries = sets[1];
      var total = sets[2];
      var found = issues.slice(0, MAX_ISSUES).map(function (r) { return { kind: "issue", hit: r }; })
        .concat(entries.slice(0, MAX_RESULTS).map(function (r) { return { kind: "entry", hit: r }; }));
      return Promise.all(found.map(function (r) { return r.hit.data(); })).then(function (items) {
        if (mine !== sequence) return;
        var results = found.map(function (r, i) { return { kind: r.kind, score: r.hit.score, data: items[i] }; });
        render(order(results.filter(function (r) { return r.kind === "issue"; }),
                     results.filter(function (r) { return r.kind === "entry"; }), query),
               query, total);
      });
    }).catch(function () {
      if (mine === sequence) render([], query, 0);
    });
  }

  function schedule() {
    clearTimeout(timer);
    timer = setTimeout(run, DEBOUNCE_MS);
  }

  function links() {
    return Array.prototype.slice.call(list.querySelectorAll(".md-search-result__link"));
  }

  input.addEventListener("focus", function () {
    load();
    setToggle(true);
  });
  input.addEventListener("input", schedule);
  form.addEventListener("submit", function (event) { event.preventDefault(); });
  form.addEventListener("reset", function () {
    setTimeout(function () { render([], "", 0); input.focus(); });
  });
  // The header's magnifier is a label for the toggle: its own click opens the panel (on a phone
  // the box is hidden until then); focusing the box then would close it again.
  toggle.addEventListener("change", function () {
    list.setAttribute("role", toggle.checked ? "list" : "presentation");
    list.hidden = !toggle.checked;
    if (toggle.checked) {
      load();
      if (document.activeElement !== input) setTimeout(function () { input.focus(); });
    }
  });
  list.hidden = true;
  list.addEventListener("click", function (event) {
    if (event.target instanceof Element && event.target.closest("a")) {
      setToggle(false);
      input.blur();
    }
  });

  document.addEventListener("keydown", function (event) {
    if (event.metaKey || event.ctrlKey || event.altKey) return;
    var active = document.activeElement;
    if (toggle.checked) {
      if (event.key === "Escape" || event.key === "Tab" && active === input && !links().length) {
        setToggle(false);
        input.blur();
      } else if (event.key === "Enter" && active === input) {
        var first = links()[0];
        if (first) first.click();
        event.preventDefault();
      } else if (event.key === "ArrowDown" || event.key === "ArrowUp") {
        var els = [input].concat(links());
        var index = Math.max(0, els.indexOf(active));
        index = (index + els.length + (event.key === "ArrowUp" ? -1 : 1)) % els.length;
        els[index].focus();
        event.preventDefault();
      }
      return;
    }
    var typing = active && (active.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(active.tagName));
    if (!typing && (event.key === "/" || event.key === "s" || event.key === "f")) {
      setToggle(true);
      input.focus();
      event.preventDefault();
    }
  });

  var params = new URLSearchParams(location.search);
  if (params.has("q")) {
    input.value = params.get("q");
    setToggle(true);
    input.focus();
    run();
  }
})();
