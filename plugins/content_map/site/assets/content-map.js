/* content-map: browser-side filters for the map pages.
 *
 * No server and no framework. The page is complete without this script (what it lists is
 * shown and the filter form stays hidden); with it, the form appears, choices hide the
 * pieces that do not match, the counts and figures follow, and the choice is kept in the
 * URL (`?status=draft&owner=dana&type=internal&group=frequency`) so a filtered view can be
 * shared and survives a reload. The overview's form also chooses a persona and a stage
 * (`?persona=cfo&stage=buyer/awareness`: the pieces shown for that persona, at that stage).
 *
 * The pieces a page counts are its items. The overview and Needs attention, and persona
 * and stage pages past render.LIST_CAP cards, hold them as data, once (`[data-cm-data]`,
 * below), and list only a share; the other pages carry each item's data in the markup.
 * What the page marks up, and what the script does with it:
 *   [data-cm-data]     the page's items as JSON (render.PageData); with it,
 *                      [data-cm-item="N"] is the element of item N, and an item shown for
 *                      no persona (a piece that names none) has no figures
 *   [data-cm-item]     without it, a piece with data-<facet>, data-persona-<segment>
 *                      (space-separated tokens), data-m-<metric>, data-cm-keys (cell keys,
 *                      persona/journey/stage) and data-cm-role; either way, shown or hidden
 *   [data-cm-persona]  a block of one persona (a matrix row): hidden when its segment, or
 *                      the persona chosen, does not match
 *   [data-cm-group]    a group of items under one key: hidden when a filter leaves it empty
 *   [data-cm-count|progress|all]  counts of the items under a key, recounted; with no
 *                      value, the key of the enclosing [data-cm-cell]
 *   [data-cm-more]     matching items under a key that the page does not list;
 *                      [data-cm-more-of] is hidden when there are none
 *   [data-cm-fig]      a figure of the counting items under a key ("*": every piece once;
 *                      no value: the enclosing cell), recomputed as the core does
 *                      (metrics.aggregate)
 *   [data-cm-node]     a node of a journey flow: dimmed when it does not match
 *   [data-cm-list]     a table the script fills with the matching pieces, when the page
 *                      lists none and a filter leaves at most the attribute's number
 *   [data-cm-js]       shown only when the script runs
 *   [data-cm-carry]    a link, or a block of links, that keeps the filter (a link's own
 *                      query, such as a persona and stage, wins over the page's)
 * When the filters are ready, the root gets `data-cm-ready`.
 */
(function () {
  "use strict";

  var METRICS = {
    views: "count", avg_time_on_page: "mean", bounce_rate: "mean",
    conversions: "count", rating: "mean"
  };
  var WORDS = {
    views: "views", avg_time_on_page: "on page", bounce_rate: "bounce",
    conversions: "conversions", rating: "rating"
  };
  var FACETS = ["status", "channel", "owner", "format", "intent"];
  var SEGMENTS = ["type", "frequency"];
  var ROLES = ["counting", "progress", "other"];
  var own = Object.prototype.hasOwnProperty;

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function tokens(text) {
    return text ? text.split(" ").filter(Boolean) : [];
  }

  function bump(table, key) {
    table[key] = (table[key] || 0) + 1;
  }

  // --- the items of a page -------------------------------------------------------------

  // An item: its element (or null when the page does not list it), an identity (a piece
  // listed in several places counts once), its role, field values, segment tokens,
  // figures, the keys it is counted under, and the personas it is shown for and its
  // stages (`journey/stage`), for the overview's persona and stage choices.
  function fromMarkup(el, index) {
    var link = el.querySelector("a");
    var keys = tokens(el.getAttribute("data-cm-keys"));
    var item = {
      el: el, id: link ? link.getAttribute("href") : "#" + index, piece: null,
      role: el.getAttribute("data-cm-role"), keys: keys, values: {}, segments: {},
      figures: {},
      personas: keys.map(function (key) { return key.split("/")[0]; }),
      stages: keys.map(function (key) { return key.split("/").slice(1).join("/"); })
    };
    FACETS.forEach(function (facet) {
      item.values[facet] = el.getAttribute("data-" + facet) || "";
    });
    SEGMENTS.forEach(function (facet) {
      item.segments[facet] = tokens(el.getAttribute("data-persona-" + facet));
    });
    for (var metric in METRICS) {
      var raw = el.getAttribute("data-m-" + metric);
      if (raw) item.figures[metric] = parseFloat(raw);
    }
    return item;
  }

  function fromData(root, data) {
    function segmentsOf(personas) {
      var out = {};
      data.segments.forEach(function (facet, at) {
        var values = [];
        personas.forEach(function (index) {
          var value = data.personas[index][3 + at];
          if (value && values.indexOf(value) < 0) values.push(value);
        });
        out[facet] = values;
      });
      return out;
    }
    var pieces = data.pieces.map(function (row, index) {
      var values = {}, figures = {};
      data.facets.forEach(function (facet, at) {
        values[facet] = data.values[at][row[5][at]] || "";
      });
      (row[6] || []).forEach(function (value, at) {
        if (value !== null) figures[data.metrics[at]] = value;
      });
      return {
        index: index, row: row, role: ROLES[row[2]], values: values,
        segments: segmentsOf(row[3]), figures: figures, personas: ids(row[3]),
        stages: row[4].map(function (i) { return data.stages[i][2]; })
      };
    });
    function ids(personas) {
      return personas.map(function (i) { return data.personas[i][0]; });
    }
    var items = data.items.map(function (entry) {
      var piece = pieces[entry[0]];
      var shownFor = entry.length > 2 ? entry[2] : null;
      return {
        el: null, id: piece.index, piece: piece, role: piece.role, values: piece.values,
        segments: shownFor ? segmentsOf(shownFor) : piece.segments,
        personas: shownFor ? ids(shownFor) : piece.personas, stages: piece.stages,
        figures: shownFor && !shownFor.length ? {} : piece.figures,
        keys: entry[1].map(function (key) { return data.keys[key]; })
      };
    });
    each(root.querySelectorAll("[data-cm-item]"), function (el) {
      var item = items[+el.getAttribute("data-cm-item")];
      if (item) item.el = el;
    });
    return items;
  }

  // The elements that show counts, each with its key, found once.
  function targets(root, attribute) {
    var out = [];
    each(root.querySelectorAll("[" + attribute + "]"), function (el) {
      var key = el.getAttribute(attribute);
      if (!key) {
        var cell = el.closest("[data-cm-cell]");
        key = cell ? cell.getAttribute("data-cm-cell") : "";
      }
      out.push([el, key]);
    });
    return out;
  }

  function scan(root) {
    // Each matrix cell gets a count of the pieces that match a filter, shown under one.
    each(root.querySelectorAll("td[data-cm-cell] > a"), function (link) {
      if (link.querySelector("[data-cm-all]")) return;
      var hits = element("span", "cm-hits");
      hits.setAttribute("data-cm-all", "");
      link.insertBefore(hits, link.querySelector(".cm-progress, .cm-cell__figure"));
    });
    var source = root.querySelector("[data-cm-data]");
    var data = source ? JSON.parse(source.getAttribute("data-cm-data")) : null;
    var items = data ? fromData(root, data)
      : Array.prototype.map.call(root.querySelectorAll("[data-cm-item]"), fromMarkup);
    return {
      data: data, items: items,
      nodes: Array.prototype.map.call(root.querySelectorAll("[data-cm-node]"), fromMarkup),
      count: targets(root, "data-cm-count"),
      progress: targets(root, "data-cm-progress"),
      all: targets(root, "data-cm-all"),
      more: targets(root, "data-cm-more"),
      figures: targets(root, "data-cm-fig"),
      cells: targets(root, "data-cm-cell")
    };
  }

  // --- the choice ----------------------------------------------------------------------

  function selects(form) {
    return form.querySelectorAll("select[data-cm-facet]");
  }

  function readChoice(form) {
    var choice = { facets: {}, segments: {}, where: {}, labels: {}, group: "" };
    each(selects(form), function (select) {
      if (!select.value) return;
      var facet = select.getAttribute("data-cm-facet");
      if (select.hasAttribute("data-cm-segment")) choice.segments[facet] = select.value;
      else if (select.hasAttribute("data-cm-where")) {
        choice.where[facet] = select.value;
        choice.labels[facet] = select.options[select.selectedIndex].text;
      } else choice.facets[facet] = select.value;
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
    return Object.keys(choice.facets).length + Object.keys(choice.segments).length +
      Object.keys(choice.where).length > 0;
  }

  function segmentMatch(el, segments) {
    for (var facet in segments) {
      if (!own.call(segments, facet)) continue;
      var list = (el.getAttribute("data-persona-" + facet) || "").split(" ");
      if (list.indexOf(segments[facet]) < 0) return false;
    }
    return true;
  }

  function matches(item, choice) {
    var facet;
    for (facet in choice.facets) {
      if (own.call(choice.facets, facet) && item.values[facet] !== choice.facets[facet]) {
        return false;
      }
    }
    for (facet in choice.segments) {
      if (own.call(choice.segments, facet) &&
          (item.segments[facet] || []).indexOf(choice.segments[facet]) < 0) {
        return false;
      }
    }
    if (choice.where.persona && (item.personas || []).indexOf(choice.where.persona) < 0) {
      return false;
    }
    return !choice.where.stage || (item.stages || []).indexOf(choice.where.stage) >= 0;
  }

  // --- applying it ---------------------------------------------------------------------

  function apply(root, state, choice) {
    var active = isActive(choice);
    root.classList.toggle("cm-filtering", active);
    var counting = {}, progress = {}, all = {}, more = {};
    var seen = {}, seenShown = {}, total = 0, shown = 0, matching = [];
    state.items.forEach(function (item) {
      var visible = matches(item, choice);
      if (item.el) item.el.hidden = !visible;
      item.visible = visible;
      if (!own.call(seen, item.id)) {
        seen[item.id] = true;
        total += 1;
      }
      if (!visible) return;
      if (!own.call(seenShown, item.id)) {
        seenShown[item.id] = true;
        shown += 1;
        if (item.piece) matching.push(item.piece);
      }
      for (var i = 0; i < item.keys.length; i++) {
        var key = item.keys[i];
        bump(all, key);
        if (item.role === "counting") bump(counting, key);
        else if (item.role === "progress") bump(progress, key);
        if (!item.el) bump(more, key);
      }
    });
    function write(list, table) {
      list.forEach(function (target) {
        var text = String(table[target[1]] || 0);
        if (target[0].textContent !== text) target[0].textContent = text;
      });
    }
    write(state.count, counting);
    write(state.progress, progress);
    write(state.all, all);
    write(state.more, more);
    each(root.querySelectorAll("[data-cm-more-of]"), function (el) {
      el.hidden = !more[el.getAttribute("data-cm-more-of")];
    });
    each(root.querySelectorAll("[data-cm-empty]"), function (el) {
      el.hidden = !active || (all[el.getAttribute("data-cm-empty")] || 0) > 0;
    });
    state.cells.forEach(function (target) {
      target[0].classList.toggle("cm-filtered-out", active && !all[target[1]]);
    });
    each(root.querySelectorAll("[data-cm-persona], [data-cm-group]"), function (el) {
      var group = el.getAttribute("data-cm-group");
      var persona = el.getAttribute("data-cm-persona");
      el.hidden = (persona !== null && (!segmentMatch(el, choice.segments) ||
        (choice.where.persona && persona !== choice.where.persona))) ||
        (group !== null && active && !all[group]);
    });
    state.nodes.forEach(function (node) {
      node.el.classList.toggle("cm-dim", active && !matches(node, choice));
    });
    figures(state, active);
    grouping(root, choice.group);
    list(root, state, active, matching);
    each(root.querySelectorAll("[data-cm-total]"), function (el) {
      el.textContent = String(shown);
    });
    each(root.querySelectorAll("[data-cm-total-note]"), function (el) {
      el.textContent = active ? "of " + total + " match the filters" : "";
    });
    each(root.querySelectorAll("[data-cm-status]"), function (el) {
      el.textContent = active
        ? "Showing " + shown + " of " + total + " pieces: " + describe(choice) + "."
        : "";
    });
    carry();
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

  function figures(state, active) {
    if (!state.figures.length) return;
    if (!active) {
      state.figures.forEach(function (target) {
        var text = target[0].getAttribute("data-cm-text");
        if (text !== null) target[0].textContent = text;
      });
      return;
    }
    var groups = { "*": [] }, once = {};
    state.items.forEach(function (item) {
      if (!item.visible || item.role !== "counting" || !item.keys.length) return;
      var any = false;
      for (var metric in item.figures) {
        if (own.call(item.figures, metric)) any = true;
      }
      if (!any) return;
      item.keys.forEach(function (key) {
        (groups[key] = groups[key] || []).push(item.figures);
      });
      if (!own.call(once, item.id)) {
        once[item.id] = true;
        groups["*"].push(item.figures);
      }
    });
    state.figures.forEach(function (target) {
      var el = target[0];
      if (el.getAttribute("data-cm-text") === null) {
        el.setAttribute("data-cm-text", el.textContent);
      }
      var metric = el.getAttribute("data-cm-metric");
      var value = aggregate(groups[target[1]] || [], metric);
      el.textContent = value === null ? "–" : format(metric, value);
    });
  }

  // The matrix's rows sorted by open gaps (most first) or by name, or as listed ("").
  var sortBy = "";

  function sorted(a, b) {
    if (sortBy === "gaps") return +b.getAttribute("data-cm-gaps") - +a.getAttribute("data-cm-gaps");
    if (sortBy === "name") {
      return a.getAttribute("data-cm-name").localeCompare(b.getAttribute("data-cm-name"));
    }
    return 0;
  }

  function matrixTools(root, form) {
    var only = root.querySelector("[data-cm-only-gaps]");
    var sort = root.querySelector("[data-cm-sort]");
    if (only) {
      only.addEventListener("change", function () {
        root.classList.toggle("cm-only-gaps", only.checked);
      });
    }
    if (sort) {
      sort.addEventListener("change", function () {
        sortBy = sort.value;
        var group = form.querySelector("select[data-cm-group-by]");
        grouping(root, group ? group.value : "");
      });
    }
  }

  // Each active filter as a chip above the matrix; removing one clears its control.
  function chips(root, form, onChange) {
    each(root.querySelectorAll("[data-cm-chips]"), function (bar) {
      bar.textContent = "";
      var active = [];
      each(selects(form), function (select) {
        if (!select.value) return;
        var label = form.querySelector("label[for='" + select.id + "']");
        var text = (label ? label.textContent : select.name) + ": " +
          select.options[select.selectedIndex].text;
        var chip = element("button", "cm-chip-remove", text + " \u00d7");
        chip.type = "button";
        chip.setAttribute("aria-label", "Remove the filter " + text);
        chip.addEventListener("click", function () {
          select.value = "";
          onChange();
        });
        active.push(chip);
      });
      if (active.length) {
        bar.appendChild(element("span", "cm-chips-bar__title", "Filtered:"));
        active.forEach(function (chip) { bar.appendChild(chip); });
      }
      bar.hidden = !active.length;
    });
  }

  // The overview's rows grouped by a persona segment, with a heading row per value.
  function grouping(root, by) {
    var control = root.querySelector("select[data-cm-group-by]");
    if (!control) return;
    var order = [], label = by;
    each(control.options, function (option) {
      if (option.value !== by) return;
      order = (option.getAttribute("data-cm-order") || "").split(" ");
      label = option.getAttribute("data-cm-label") || by;
    });
    each(root.querySelectorAll("table.cm-matrix > tbody"), function (body) {
      var heads = body.querySelectorAll("tr[data-cm-group-head]");
      if (!by && !sortBy && !heads.length && !body.hasAttribute("data-cm-grouped")) return;
      body.setAttribute("data-cm-grouped", "");
      each(heads, function (head) {
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
        return (by ? rank(a) - rank(b) : 0) || sorted(a, b) || place(a) - place(b);
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
          cell.textContent = label + ": " + (value || "not set");
          head.appendChild(cell);
          body.appendChild(head);
        }
        if (!row.hidden) visible += 1;
        body.appendChild(row);
      });
      close();
    });
  }

  // --- the list of matching pieces, on a page too big to list them all -----------------

  function element(tag, className, text) {
    var el = document.createElement(tag);
    if (className) el.className = className;
    if (text !== undefined) el.textContent = text;
    return el;
  }

  function link(href, text) {
    var a = element("a", "", text);
    a.setAttribute("href", href);
    return a;
  }

  function links(cell, entries) {
    entries.forEach(function (entry, index) {
      if (index) cell.appendChild(document.createTextNode(", "));
      cell.appendChild(link(entry[1], entry[0]));
    });
  }

  function figureLine(figures, metrics) {
    var out = element("span", "cm-figs"), first = true;
    metrics.forEach(function (metric) {
      if (!own.call(figures, metric)) return;
      if (!first) {
        var sep = element("span", "cm-figs__sep", " · ");
        sep.setAttribute("aria-hidden", "true");
        out.appendChild(sep);
      }
      first = false;
      var item = element("span", "cm-figs__item");
      var fig = element("span", "cm-fig", format(metric, figures[metric]));
      if (metric === "rating") item.appendChild(document.createTextNode(WORDS[metric] + " "));
      item.appendChild(fig);
      if (metric !== "rating") item.appendChild(document.createTextNode(" " + WORDS[metric]));
      out.appendChild(item);
    });
    return out;
  }

  function row(data, piece, results) {
    var r = piece.row, tr = element("tr"), cell;
    cell = element("td");
    // a piece the build does not write (a draft post) has no URL: its title, unlinked
    cell.appendChild(r[1] === null ? document.createTextNode(r[0]) : link(data.root + r[1], r[0]));
    tr.appendChild(cell);
    cell = element("td");
    links(cell, r[3].map(function (i) {
      return [data.personas[i][1], data.personas[i][2]];
    }));
    tr.appendChild(cell);
    cell = element("td");
    links(cell, r[4].map(function (i) { return data.stages[i]; }));
    tr.appendChild(cell);
    cell = element("td");
    var status = piece.values.status;
    cell.appendChild(element("span", "cm-status cm-status-" + status, status));
    tr.appendChild(cell);
    ["owner", "channel", "format", "intent"].forEach(function (facet) {
      tr.appendChild(element("td", "", piece.values[facet]));
    });
    if (results) {
      cell = element("td", "cm-table__figures");
      cell.appendChild(figureLine(piece.figures, data.metrics));
      tr.appendChild(cell);
    }
    return tr;
  }

  function list(root, state, active, matching) {
    var box = root.querySelector("[data-cm-list]");
    if (!box || !state.data) return;
    var cap = +box.getAttribute("data-cm-list");
    var body = box.querySelector("tbody");
    var status = root.querySelector("[data-cm-list-status]");
    var fits = active && matching.length <= cap;
    box.hidden = !fits;
    body.textContent = "";
    if (fits) {
      var results = box.querySelector("th[data-cm-results]") !== null;
      var rows = document.createDocumentFragment();
      matching.forEach(function (piece) {
        rows.appendChild(row(state.data, piece, results));
      });
      body.appendChild(rows);
    }
    if (status) {
      status.textContent = !active ? ""
        : fits ? "The " + matching.length + " piece" + (matching.length === 1 ? "" : "s") +
          " that match the filters:"
        : thousands(matching.length) + " pieces match the filters: more than this page " +
          "lists (" + cap + "). Narrow the filters to list them here.";
    }
  }

  function describe(choice) {
    var words = Object.keys(choice.facets).map(function (facet) {
      return facet + " " + choice.facets[facet];
    });
    Object.keys(choice.segments).forEach(function (facet) {
      words.push("persona " + facet + " " + choice.segments[facet]);
    });
    Object.keys(choice.where).forEach(function (facet) {
      words.push(facet + " " + choice.labels[facet]);
    });
    return words.join(", ");
  }

  // Links to other map pages keep the filter, so a filtered view carries on; what a
  // link's own query chooses (a persona and a stage) stays as it is.
  var carried = false;

  function carry() {
    var query = window.location.search;
    if (!query && !carried) return; // the links are as built
    carried = true;
    each(document.querySelectorAll("a[data-cm-carry], [data-cm-carry] a"), function (link) {
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
      var search = query;
      at = base.indexOf("?");
      if (at >= 0) {
        var params = new URLSearchParams(query);
        new URLSearchParams(base.slice(at + 1)).forEach(function (value, name) {
          params.set(name, value);
        });
        search = "?" + params.toString().replace(/%2F/g, "/");
        base = base.slice(0, at);
      }
      var href = base + search + hash;
      if (link.getAttribute("href") !== href) link.setAttribute("href", href);
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
    if (url !== window.location.pathname + window.location.search + window.location.hash) {
      window.history.pushState({ cmFilters: true }, "", url); // Back undoes the change
    }
  }

  function setup(root) {
    var form = root.querySelector("form[data-cm-filters]");
    if (!form || form.getAttribute("data-cm-ready") === "1") return;
    form.setAttribute("data-cm-ready", "1");
    var state = scan(root);
    form.hidden = false;
    each(root.querySelectorAll("[data-cm-js]"), function (el) {
      el.hidden = false;
    });
    each(root.querySelectorAll("[data-cm-unapplied]"), function (el) {
      el.parentNode.removeChild(el);
    });
    function update() {
      apply(root, state, readChoice(form));
      chips(root, form, changed);
    }
    function changed() {
      writeUrl(form);
      update();
    }
    restore(form, new URLSearchParams(window.location.search));
    update();
    matrixTools(root, form);
    form.addEventListener("change", changed);
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(changed, 0);
    });
    window.addEventListener("popstate", function () {
      if (!root.isConnected) return;
      restore(form, new URLSearchParams(window.location.search));
      update();
    });
    root.setAttribute("data-cm-ready", "");
  }

  /* Sortable tables (`table[data-cm-sortable]`): each column header becomes a button that
   * sorts the rows by that column, ascending, then descending; `aria-sort` says which. A
   * cell's `data-cm-value` is its sort key, else its text; keys that start with a number
   * compare as numbers, and empty cells go last. */
  var collator = new Intl.Collator(undefined, { numeric: true, sensitivity: "base" });

  function sortKey(cell) {
    if (!cell) return "";
    var value = cell.getAttribute("data-cm-value");
    return (value === null ? cell.textContent : value).trim();
  }

  function compareKeys(a, b) {
    if (a === "" || b === "") return a === b ? 0 : (a === "" ? 1 : -1);
    var x = parseFloat(a.replace(/,/g, "")), y = parseFloat(b.replace(/,/g, ""));
    if (!isNaN(x) && !isNaN(y) && x !== y) return x - y;
    return collator.compare(a, b);
  }

  function sortable(table) {
    if (table.hasAttribute("data-cm-sort-ready") || !table.tHead || !table.tBodies[0]) return;
    table.setAttribute("data-cm-sort-ready", "");
    var heads = table.tHead.rows[0].cells;
    each(heads, function (th, column) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "cm-sort";
      while (th.firstChild) button.appendChild(th.firstChild);
      th.appendChild(button);
      button.addEventListener("click", function () {
        var ascending = th.getAttribute("aria-sort") !== "ascending";
        var body = table.tBodies[0];
        var rows = Array.prototype.slice.call(body.rows);
        rows.sort(function (r, s) {
          var order = compareKeys(sortKey(r.cells[column]), sortKey(s.cells[column]));
          return ascending || order === 0 ? order : -order;
        });
        rows.forEach(function (row) { body.appendChild(row); });
        each(heads, function (other) { other.removeAttribute("aria-sort"); });
        th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      });
    });
  }

  function init() {
    each(document.querySelectorAll("[data-cm-root]"), setup);
    each(document.querySelectorAll("table[data-cm-sortable]"), sortable);
  }

  if (window.document$ && typeof window.document$.subscribe === "function") {
    window.document$.subscribe(init); // Material's instant navigation swaps pages in place
  } else if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
