/* content-map: browser-side filters for the map pages.
 *
 * No server and no framework. The page is complete without this script (every piece
 * is shown and the filter form stays hidden); with it, the form appears, choices hide
 * the pieces that do not match, the counts and figures follow, and the choice is kept
 * in the URL (`?status=draft&owner=dana&type=internal&group=frequency`) so a filtered
 * view can be shared and survives a reload.
 *
 * What the page marks up, and what the script does with it:
 *   [data-cm-item]     a piece, with data-<facet>, data-persona-<segment> (space-separated
 *                      tokens), data-m-<metric>, data-cm-keys and data-cm-role: shown or hidden
 *   [data-cm-persona]  a block of one persona (a matrix row): hidden when its segment does
 *                      not match
 *   [data-cm-group]    a group of items under one key: hidden when a filter leaves it empty
 *   [data-cm-count|progress|all]  counts of the items under a key, recounted
 *   [data-cm-fig]      a figure of the counting items under a key ("*": every piece once),
 *                      recomputed as the core does (metrics.aggregate)
 *   [data-cm-node]     a node of a journey flow: dimmed when it does not match
 */
(function () {
  "use strict";

  var METRICS = {
    views: "count", avg_time_on_page: "mean", bounce_rate: "mean",
    conversions: "count", rating: "mean"
  };

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function selects(form) {
    return form.querySelectorAll("select[data-cm-facet]");
  }

  function readChoice(form) {
    var choice = { facets: {}, segments: {}, group: "" };
    each(selects(form), function (select) {
      if (!select.value) return;
      var facet = select.getAttribute("data-cm-facet");
      if (select.hasAttribute("data-cm-segment")) choice.segments[facet] = select.value;
      else choice.facets[facet] = select.value;
    });
    var group = form.querySelector("select[data-cm-group-by]");
    if (group) choice.group = group.value;
    return choice;
  }

  function controls(form) {
    var list = Array.prototype.slice.call(selects(form));
    var group = form.querySelector("select[data-cm-group-by]");
    if (group) list.push(group);
    return list;
  }

  function restore(form, params) {
    each(controls(form), function (select) {
      var wanted = params.get(select.name);
      select.value = "";
      if (wanted === null) return;
      each(select.options, function (option) {
        if (option.value === wanted) select.value = wanted;
      });
    });
  }

  function isActive(choice) {
    return Object.keys(choice.facets).length + Object.keys(choice.segments).length > 0;
  }

  function segmentMatch(el, segments) {
    for (var facet in segments) {
      if (!Object.prototype.hasOwnProperty.call(segments, facet)) continue;
      var tokens = (el.getAttribute("data-persona-" + facet) || "").split(" ");
      if (tokens.indexOf(segments[facet]) < 0) return false;
    }
    return true;
  }

  function matches(item, choice) {
    for (var facet in choice.facets) {
      if (Object.prototype.hasOwnProperty.call(choice.facets, facet) &&
          item.getAttribute("data-" + facet) !== choice.facets[facet]) {
        return false;
      }
    }
    return segmentMatch(item, choice.segments);
  }

  function bump(table, key) {
    table[key] = (table[key] || 0) + 1;
  }

  function keysOf(item) {
    return (item.getAttribute("data-cm-keys") || "").split(" ").filter(Boolean);
  }

  function apply(root, choice) {
    var active = isActive(choice);
    var counting = {}, progress = {}, all = {};
    each(root.querySelectorAll("[data-cm-item]"), function (item) {
      var visible = matches(item, choice);
      item.hidden = !visible;
      if (!visible) return;
      var role = item.getAttribute("data-cm-role");
      var keys = keysOf(item);
      for (var i = 0; i < keys.length; i++) {
        bump(all, keys[i]);
        if (role === "counting") bump(counting, keys[i]);
        else if (role === "progress") bump(progress, keys[i]);
      }
    });
    each(root.querySelectorAll("[data-cm-count]"), function (el) {
      el.textContent = String(counting[el.getAttribute("data-cm-count")] || 0);
    });
    each(root.querySelectorAll("[data-cm-progress]"), function (el) {
      el.textContent = String(progress[el.getAttribute("data-cm-progress")] || 0);
    });
    each(root.querySelectorAll("[data-cm-all]"), function (el) {
      el.textContent = String(all[el.getAttribute("data-cm-all")] || 0);
    });
    each(root.querySelectorAll("[data-cm-empty]"), function (el) {
      el.hidden = !active || (all[el.getAttribute("data-cm-empty")] || 0) > 0;
    });
    each(root.querySelectorAll("[data-cm-cell]"), function (el) {
      var key = el.getAttribute("data-cm-cell");
      el.classList.toggle("cm-filtered-out", active && !all[key]);
    });
    each(root.querySelectorAll("[data-cm-persona], [data-cm-group]"), function (el) {
      var group = el.getAttribute("data-cm-group");
      el.hidden = (el.hasAttribute("data-cm-persona") && !segmentMatch(el, choice.segments)) ||
        (group !== null && active && !all[group]);
    });
    each(root.querySelectorAll("[data-cm-node]"), function (node) {
      node.classList.toggle("cm-dim", active && !matches(node, choice));
    });
    figures(root, active);
    grouping(root, choice.group);
    var unique = countUnique(root);
    each(root.querySelectorAll("[data-cm-total]"), function (el) {
      el.textContent = String(unique.shown);
    });
    each(root.querySelectorAll("[data-cm-total-note]"), function (el) {
      el.textContent = active ? "of " + unique.total + " match the filters" : "";
    });
    each(root.querySelectorAll("[data-cm-status]"), function (el) {
      el.textContent = active
        ? "Showing " + unique.shown + " of " + unique.total + " pieces: " + describe(choice) + "."
        : "";
    });
    carry(root);
  }

  // Pieces listed in several places (a persona lane, several stages) count once.
  function identity(item, fallback) {
    var link = item.querySelector("a");
    return link ? link.getAttribute("href") : String(fallback);
  }

  function countUnique(root) {
    var seen = {}, seenShown = {}, total = 0, shown = 0;
    each(root.querySelectorAll("[data-cm-item]"), function (item, index) {
      var id = identity(item, index);
      if (!seen[id]) {
        seen[id] = true;
        total += 1;
      }
      if (!item.hidden && !seenShown[id]) {
        seenShown[id] = true;
        shown += 1;
      }
    });
    return { total: total, shown: shown };
  }

  // Figures: counts are added up; means are weighted by views when every part has views.
  function aggregate(parts, metric) {
    var values = parts.filter(function (p) { return p[metric] !== undefined; });
    if (!values.length) return null;
    var sum = 0, weights = 0, weighted = 0, everyWeight = true;
    values.forEach(function (p) {
      sum += p[metric];
      if (p.views) {
        weights += p.views;
        weighted += p[metric] * p.views;
      } else {
        everyWeight = false;
      }
    });
    if (METRICS[metric] === "count") return sum;
    return everyWeight ? weighted / weights : sum / values.length;
  }

  function thousands(n) {
    return String(n).replace(/\B(?=(\d{3})+(?!\d))/g, ",");
  }

  function format(metric, v) {
    if (metric === "avg_time_on_page") {
      var s = Math.floor(v + 0.5), m = Math.floor(s / 60);
      s = s % 60;
      return m ? m + "m " + (s < 10 ? "0" : "") + s + "s" : s + "s";
    }
    if (metric === "bounce_rate") return (Math.floor(v * 1000 + 0.5) / 10).toFixed(1) + "%";
    if (metric === "rating") return (Math.floor(v * 10 + 0.5) / 10).toFixed(1);
    return thousands(Math.floor(v + 0.5));
  }

  function figures(root, active) {
    var shown = root.querySelectorAll("[data-cm-fig]");
    if (!shown.length) return;
    if (!active) {
      each(shown, function (el) {
        var text = el.getAttribute("data-cm-text");
        if (text !== null) el.textContent = text;
      });
      return;
    }
    var groups = { "*": [] }, once = {};
    each(root.querySelectorAll("[data-cm-item]"), function (item, index) {
      if (item.hidden || item.getAttribute("data-cm-role") !== "counting") return;
      var parts = {}, any = false;
      for (var metric in METRICS) {
        var raw = item.getAttribute("data-m-" + metric);
        if (raw !== null && raw !== "") {
          parts[metric] = parseFloat(raw);
          any = true;
        }
      }
      if (!any) return;
      var keys = keysOf(item);
      if (!keys.length) return;
      keys.forEach(function (key) {
        (groups[key] = groups[key] || []).push(parts);
      });
      var id = identity(item, index);
      if (!once[id]) {
        once[id] = true;
        groups["*"].push(parts);
      }
    });
    each(shown, function (el) {
      if (el.getAttribute("data-cm-text") === null) {
        el.setAttribute("data-cm-text", el.textContent);
      }
      var metric = el.getAttribute("data-cm-metric");
      var value = aggregate(groups[el.getAttribute("data-cm-fig")] || [], metric);
      el.textContent = value === null ? "–" : format(metric, value);
    });
  }

  // The overview's rows grouped by a persona segment, with a heading row per value.
  function grouping(root, by) {
    var control = root.querySelector("select[data-cm-group-by]");
    if (!control) return;
    var order = [];
    each(control.options, function (option) {
      if (option.value === by) order = (option.getAttribute("data-cm-order") || "").split(" ");
    });
    each(root.querySelectorAll("table.cm-matrix > tbody"), function (body) {
      each(body.querySelectorAll("tr[data-cm-group-head]"), function (head) {
        body.removeChild(head);
      });
      var rows = Array.prototype.slice.call(body.querySelectorAll("tr[data-cm-persona]"));
      rows.forEach(function (row, index) {
        if (!row.hasAttribute("data-cm-place")) row.setAttribute("data-cm-place", index);
      });
      function place(row) { return +row.getAttribute("data-cm-place"); }
      function rank(row) {
        var at = order.indexOf(row.getAttribute("data-persona-" + by) || "");
        return at < 0 ? order.length : at;
      }
      rows.sort(function (a, b) {
        return (by ? rank(a) - rank(b) : 0) || place(a) - place(b);
      });
      var current = null, head = null, visible = 0;
      function close() {
        if (head) head.hidden = visible === 0;
      }
      rows.forEach(function (row) {
        var value = row.getAttribute("data-persona-" + by) || "";
        if (by && value !== current) {
          close();
          current = value;
          visible = 0;
          head = document.createElement("tr");
          head.className = "cm-group-head";
          head.setAttribute("data-cm-group-head", value);
          var cell = document.createElement("th");
          cell.setAttribute("scope", "rowgroup");
          cell.colSpan = row.cells.length;
          cell.textContent = "Persona " + by + ": " + (value || "not set");
          head.appendChild(cell);
          body.appendChild(head);
        }
        if (!row.hidden) visible += 1;
        body.appendChild(row);
      });
      close();
    });
  }

  function describe(choice) {
    var words = Object.keys(choice.facets).map(function (facet) {
      return facet + " " + choice.facets[facet];
    });
    Object.keys(choice.segments).forEach(function (facet) {
      words.push("persona " + facet + " " + choice.segments[facet]);
    });
    return words.join(", ");
  }

  // Links to other map pages keep the filter, so a filtered view carries on.
  function carry() {
    var query = window.location.search;
    each(document.querySelectorAll("a[data-cm-carry]"), function (link) {
      var base = link.getAttribute("data-cm-href");
      if (base === null) {
        base = link.getAttribute("href") || "";
        link.setAttribute("data-cm-href", base);
      }
      var hash = "";
      var at = base.indexOf("#");
      if (at >= 0) {
        hash = base.slice(at);
        base = base.slice(0, at);
      }
      link.setAttribute("href", base + query + hash);
    });
  }

  function writeUrl(form) {
    var params = new URLSearchParams(window.location.search);
    each(controls(form), function (select) {
      if (select.value) params.set(select.name, select.value);
      else params.delete(select.name);
    });
    var query = params.toString();
    var url = window.location.pathname + (query ? "?" + query : "") + window.location.hash;
    window.history.replaceState(window.history.state, "", url);
  }

  function setup(root) {
    var form = root.querySelector("form[data-cm-filters]");
    if (!form || form.getAttribute("data-cm-ready") === "1") return;
    form.setAttribute("data-cm-ready", "1");
    form.hidden = false;
    restore(form, new URLSearchParams(window.location.search));
    apply(root, readChoice(form));
    form.addEventListener("change", function () {
      writeUrl(form);
      apply(root, readChoice(form));
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        writeUrl(form);
        apply(root, readChoice(form));
      }, 0);
    });
  }

  function init() {
    each(document.querySelectorAll("[data-cm-root]"), setup);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation swaps pages in place
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
