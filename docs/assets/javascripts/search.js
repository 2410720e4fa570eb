/*
 * Answer Material's header search box with Pagefind (extra.search_engine: pagefind).
 *
 * overrides/partials/search.html renders Material's search markup without the hooks that start
 * Material's lunr worker, and marks it with data-rkb-search (the URL of pagefind.js). This script
 * loads Pagefind on first use, queries it as the reader types, and renders each entry as a
 * Material search result (md-search-result__item / __link), with Material's keyboard handling:
 * "/", "s" or "f" open search, arrows move, Enter follows, Escape closes.
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
  var DEBOUNCE_MS = 60;

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
        return module.options({ baseUrl: siteRoot.pathname, excerptLength: 24, noWorker: true }).then(function () {
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

  // Issues first (their own group), then entries; the whole result set is one link away.
  function render(issues, entries, query, total) {
    list.innerHTML = "";
    if (issues.length) {
      list.appendChild(heading("Issues"));
      issues.forEach(function (data) { list.appendChild(result(data, query)); });
      if (entries.length) list.appendChild(heading("Links"));
    }
    entries.forEach(function (data) { list.appendChild(result(data, query)); });
    if (total > entries.length) {
      var all = document.createElement("li");
      all.className = "rkb-search-all";
      var link = document.createElement("a");
      link.className = "md-search-result__link rkb-search-all__link";
      link.href = exploreUrl.href + "?q=" + encodeURIComponent(query);
      link.textContent = "See all " + total + " links in Explore";
      all.appendChild(link);
      list.appendChild(all);
    }
    var count = issues.length + total;
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
      render([], [], "", 0);
      return;
    }
    load().then(function (pf) {
      return Promise.all([pf.search(query, { filters: { kind: "issue" } }),
                          pf.search(query, { filters: { kind: "entry" } })]);
    }).then(function (searches) {
      if (mine !== sequence || !searches[0] || !searches[1]) return null;
      var issues = searches[0].results.slice(0, MAX_ISSUES);
      var entries = searches[1].results.slice(0, MAX_RESULTS);
      return Promise.all(issues.concat(entries).map(function (r) { return r.data(); }))
        .then(function (items) {
          if (mine !== sequence) return;
          render(items.slice(0, issues.length), items.slice(issues.length), query, searches[1].results.length);
        });
    }).catch(function () {
      if (mine === sequence) render([], [], query, 0);
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
    setTimeout(function () { render([], [], "", 0); input.focus(); });
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
