/* content-map: browser-side filters for the map pages.
 *
 * No server and no framework. The page is complete without this script (every piece
 * is shown and the filter form stays hidden); with it, the form appears, choices hide
 * the pieces that do not match, the counts follow, and the choice is kept in the URL
 * (`?status=draft&owner=dana`) so a filtered view can be shared and survives a reload.
 */
(function () {
  "use strict";

  function each(list, fn) {
    Array.prototype.forEach.call(list, fn);
  }

  function readChoice(form) {
    var choice = {};
    each(form.querySelectorAll("select[data-cm-facet]"), function (select) {
      if (select.value) choice[select.getAttribute("data-cm-facet")] = select.value;
    });
    return choice;
  }

  function restore(form, params) {
    each(form.querySelectorAll("select[data-cm-facet]"), function (select) {
      var wanted = params.get(select.getAttribute("data-cm-facet"));
      select.value = "";
      if (wanted === null) return;
      each(select.options, function (option) {
        if (option.value === wanted) select.value = wanted;
      });
    });
  }

  function matches(item, choice) {
    for (var facet in choice) {
      if (Object.prototype.hasOwnProperty.call(choice, facet) &&
          item.getAttribute("data-" + facet) !== choice[facet]) {
        return false;
      }
    }
    return true;
  }

  function bump(table, key) {
    table[key] = (table[key] || 0) + 1;
  }

  function apply(root, choice) {
    var active = Object.keys(choice).length > 0;
    var counting = {}, progress = {}, all = {};
    var shown = 0, total = 0;
    each(root.querySelectorAll("[data-cm-item]"), function (item) {
      total += 1;
      var visible = matches(item, choice);
      item.hidden = !visible;
      if (!visible) return;
      shown += 1;
      var role = item.getAttribute("data-cm-role");
      var keys = (item.getAttribute("data-cm-keys") || "").split(" ");
      for (var i = 0; i < keys.length; i++) {
        if (!keys[i]) continue;
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
    var unique = countUnique(root, choice);
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
  function countUnique(root, choice) {
    var seen = {}, seenShown = {}, total = 0, shown = 0;
    each(root.querySelectorAll("[data-cm-item]"), function (item) {
      var link = item.querySelector("a");
      var id = link ? link.getAttribute("href") : String(total + shown);
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

  function describe(choice) {
    return Object.keys(choice).map(function (facet) {
      return facet + " " + choice[facet];
    }).join(", ");
  }

  // Links to other map pages keep the filter, so a filtered view carries on.
  function carry(root) {
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

  function writeUrl(choice) {
    var params = new URLSearchParams(window.location.search);
    each(["status", "channel", "owner", "format", "intent"], function (facet) {
      if (choice[facet]) params.set(facet, choice[facet]);
      else params.delete(facet);
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
      var choice = readChoice(form);
      writeUrl(choice);
      apply(root, choice);
    });
    form.addEventListener("submit", function (event) {
      event.preventDefault();
    });
    form.addEventListener("reset", function () {
      window.setTimeout(function () {
        writeUrl({});
        apply(root, {});
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
