/* Roundup KB Explore: every entry, narrowed by words, topic, year and source, through the same
 * Pagefind index as the header search (no data file to download first).
 *
 * State lives in the URL query: ?q=words&topic=slug&year=2021&source=Name&sort=oldest. Facet
 * changes push a history entry (the back button undoes them); typing replaces the current one.
 * Only the results on screen are fetched, PAGE at a time; each facet's option labels carry the
 * number of matching entries. Those counts need every facet's index, which grows with the archive
 * and is the larger download, so they are fetched after the first results are on screen.
 */
(function () {
  "use strict";
  var PAGE = 25;
  var EVERY_ENTRY = "rkbentry";  // a word every entry holds (roundupkb/records.py)
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
  var pagefindUrl = new URL(root.getAttribute("data-pagefind"), document.baseURI);
  var siteRoot = new URL("../", pagefindUrl);
  var pagefind = null;
  var facets = null;  // every facet's index loaded
  var results = [];
  var shown = 0;
  var sequence = 0;
  var timer = 0;

  function load() {
    if (!pagefind) {
      pagefind = import(pagefindUrl.href).then(function (module) {
        // ranked as the header search ranks its links (search.js)
        var ranking = (window.rkbSearch || {}).ranking;
        return module.options({ baseUrl: siteRoot.pathname, excerptLength: 30, ranking: ranking }).then(function () {
          module.init();
          return module;
        });
      });
    }
    return pagefind;
  }

  // Load every facet's index once, so that each search counts every facet's values.
  function loadFacets() {
    if (!facets) facets = load().then(function (pf) { return pf.filters(); });
    return facets;
  }

  function readState() {
    var params = new URLSearchParams(window.location.search);
    if (typeof window.rkbExploreQuery === "string") {
      // Set aside by the page's inline script so the site search does not open on it.
      params.set("q", window.rkbExploreQuery);
      delete window.rkbExploreQuery;
    }
    var order = params.get("sort");
    return {
      q: params.get("q") || "",
      topic: params.get("topic") || "",
      year: params.get("year") || "",
      source: params.get("source") || "",
      sort: order === "oldest" || order === "newest" || order === "relevance" ? order : "",
    };
  }

  function formState() {
    return { q: q.value.trim(), topic: selects.topic.value, year: selects.year.value,
             source: selects.source.value, sort: sort.value };
  }

  function queryString(state) {
    var params = new URLSearchParams();
    ["q", "topic", "year", "source"].forEach(function (key) {
      if (state[key]) params.set(key, state[key]);
    });
    if (state.sort && state.sort !== defaultSort(state)) params.set("sort", state.sort);
    var text = params.toString();
    return text ? "?" + text : window.location.pathname;
  }

  function defaultSort(state) {
    return state.q ? "relevance" : "newest";
  }

  function writeUrl(state, push) {
    var url = queryString(state);
    if (url === (window.location.search || window.location.pathname)) return;
    if (push) window.history.pushState(state, "", url);
    else window.history.replaceState(state, "", url);
  }

  function topicTitle(slug) {
    var option = selects.topic.querySelector('option[value="' + CSS.escape(slug) + '"]');
    return option ? option.getAttribute("data-title") : "";
  }

  function filters(state) {
    var out = { kind: "entry" };
    if (state.topic) out.topic = topicTitle(state.topic) || state.topic;
    if (state.year) out.year = state.year;
    if (state.source) out.source = state.source;
    return out;
  }

  function label(text, count) {
    return text + " (" + (count || 0) + ")";
  }

  function updateFacets(state, counts) {
    Array.prototype.forEach.call(selects.topic.options, function (option) {
      if (option.value) option.textContent = label(option.getAttribute("data-title"), (counts.topic || {})[option.getAttribute("data-title")]);
    });
    Array.prototype.forEach.call(selects.year.options, function (option) {
      if (option.value) option.textContent = label(option.value, (counts.year || {})[option.value]);
    });
    var sources = counts.source || {};
    var names = Object.keys(sources).filter(function (name) { return sources[name] > 0; }).sort(function (a, b) {
      return sources[b] - sources[a] || a.localeCompare(b);
    });
    if (state.source && names.indexOf(state.source) === -1) names.unshift(state.source);
    var select = selects.source;
    while (select.options.length > 1) select.remove(1);
    var fragment = document.createDocumentFragment();
    names.forEach(function (name) {
      var option = document.createElement("option");
      option.value = name;
      option.textContent = label(name, sources[name]);
      fragment.appendChild(option);
    });
    select.appendChild(fragment);
    select.value = state.source;
  }

  // Pagefind's excerpt: only its <mark> tags are kept, everything else is text (parsed inert).
  function excerpt(html, into) {
    var holder = document.createElement("template");
    holder.innerHTML = html.replace(/(<mark>)?\brkbentry\b(<\/mark>)?\s*/g, "");
    holder.content.childNodes.forEach(function (node) {
      if (node.nodeName === "MARK") {
        var mark = document.createElement("mark");
        mark.textContent = node.textContent;
        into.appendChild(mark);
      } else {
        into.appendChild(document.createTextNode(node.textContent));
      }
    });
  }

  function item(data) {
    var m = data.meta || {};
    var li = document.createElement("li");
    var title = document.createElement("p");
    title.className = "rkb-explore__title";
    var link = document.createElement("a");
    link.textContent = m.title || data.url;
    link.href = data.url;
    title.appendChild(link);
    li.appendChild(title);
    var meta = document.createElement("p");
    meta.className = "rkb-explore__meta";
    meta.textContent = [m.attribution, m.topic, m.issue, m.date].filter(Boolean).join(" · ");
    li.appendChild(meta);
    if (data.excerpt) {
      var text = document.createElement("p");
      text.className = "rkb-explore__excerpt";
      excerpt(data.excerpt, text);
      li.appendChild(text);
    }
    return li;
  }

  function renderMore(mine) {
    var page = results.slice(shown, shown + PAGE);
    return Promise.all(page.map(function (r) { return r.data(); })).then(function (items) {
      if (mine !== sequence) return;
      var fragment = document.createDocumentFragment();
      items.forEach(function (data) { fragment.appendChild(item(data)); });
      list.appendChild(fragment);
      shown += items.length;
      more.hidden = shown >= results.length;
      more.textContent = "Show more (" + (results.length - shown) + " left)";
    });
  }

  // A facet's labels count matches under the OTHER facets: with a year chosen, every year says
  // how many there would be in it (one more search per chosen facet, on loaded chunks).
  function countFacets(pf, state, options) {
    var query = state.q || EVERY_ENTRY;
    return pf.search(query, options).then(function (search) {
      var counts = Object.assign({}, search.filters || {});
      var chosen = ["topic", "year", "source"].filter(function (key) { return state[key]; });
      return Promise.all(chosen.map(function (key) {
        var others = Object.assign({}, options, { filters: Object.assign({}, options.filters) });
        delete others.filters[key];
        return pf.search(query, others).then(function (wider) { counts[key] = (wider.filters || {})[key] || {}; });
      })).then(function () { return counts; });
    });
  }

  function apply(state) {
    var mine = ++sequence;
    var order = state.sort || defaultSort(state);
    var options = { filters: filters(state) };
    if (order !== "relevance") options.sort = { date: order === "oldest" ? "asc" : "desc" };
    status.textContent = "Searching…";
    root.removeAttribute("data-ready");
    var pf = null;
    return load().then(function (module) {
      pf = module;
      return pf.search(state.q || EVERY_ENTRY, options);
    }).then(function (search) {
      if (mine !== sequence || !search) return null;
      // as in the header search: words only in the fields a result displays (its issue, date)
      // score nothing and are no match
      results = search.results.filter(function (r) { return r.score > 0; });
      shown = 0;
      list.textContent = "";
      return renderMore(mine).then(function () {
        if (mine !== sequence) return null;
        var n = results.length;
        status.textContent = n === 0 ? "No entries match." :
          n + (n === 1 ? " entry matches" : " entries match") + (n > shown ? ", showing the first " + shown : "") + ".";
        root.setAttribute("data-count", String(n));
        if (window.performance && performance.mark) performance.mark("rkb-explore-first-results");
        return loadFacets().then(function () { return countFacets(pf, state, options); });
      });
    }).then(function (counts) {
      if (mine !== sequence || !counts) return;
      updateFacets(state, counts);
      root.setAttribute("data-ready", "true");
      root.setAttribute("data-rendered", window.location.search);
    }).catch(function (error) {
      if (mine === sequence) status.textContent = "The search index could not be loaded (" + error.message + ").";
    });
  }

  function setForm(state) {
    q.value = state.q;
    ["topic", "year"].forEach(function (key) {
      var select = selects[key];
      var known = Array.prototype.some.call(select.options, function (o) { return o.value === state[key]; });
      select.value = known ? state[key] : "";
    });
    if (state.source && !Array.prototype.some.call(selects.source.options, function (o) { return o.value === state.source; })) {
      var option = document.createElement("option");
      option.value = option.textContent = state.source;
      selects.source.appendChild(option);
    }
    selects.source.value = state.source;
    sort.value = state.sort || defaultSort(state);
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
    if (state.sort === defaultSort(state)) state.sort = "";
    writeUrl(state, push);
    apply(state);
  }

  var state = readState();
  setForm(state);
  apply(state);
  restoreUrl(state);
  q.addEventListener("input", function () {
    window.clearTimeout(timer);
    timer = window.setTimeout(function () {
      sort.value = q.value.trim() ? "relevance" : "newest";
      onChange(false);
    }, DEBOUNCE_MS);
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
    setForm({ q: "", topic: "", year: "", source: "", sort: "" });
    onChange(true);
    q.focus();
  });
  more.addEventListener("click", function () {
    var first = shown;
    renderMore(sequence).then(function () {
      var next = list.children[first];
      var link = next && next.querySelector("a");
      if (link) link.focus();
    });
  });
  window.addEventListener("popstate", function () {
    var next = readState();
    setForm(next);
    apply(next);
  });
})();
