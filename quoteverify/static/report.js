(function () {
  "use strict";
  var doc = document;
  var root = doc.documentElement;
  var body = doc.body;
  root.classList.add("js");
  body.classList.add("js");

  Array.prototype.forEach.call(doc.querySelectorAll("[data-js-only]"), function (el) {
    el.hidden = false;
  });

  function visible(el) {
    return !el.hidden && el.offsetParent !== null;
  }

  function all(selector) {
    return Array.prototype.filter.call(doc.querySelectorAll(selector), visible);
  }

  /* inline / side-by-side diff */
  var toggle = doc.querySelector(".toggle-view");
  function setView(side) {
    body.classList.toggle("view-side", side);
    body.classList.toggle("view-inline", !side);
    if (toggle) {
      toggle.setAttribute("aria-pressed", side ? "true" : "false");
      toggle.textContent = side ? "Show inline diff" : "Show side by side";
    }
  }
  if (toggle) {
    toggle.addEventListener("click", function () {
      setView(!body.classList.contains("view-side"));
    });
  }

  /* filters by verdict and by variant kind, kept for the session so that a reload keeps them */
  var verdictBoxes = doc.querySelectorAll(".toolbar input[name=verdict]");
  var kindSelect = doc.querySelector(".toolbar select[name=kind]");
  var status = doc.querySelector(".filter-status");
  var STORE = "quoteverify-filters";
  function saveFilters() {
    var state = { off: [], kind: kindSelect ? kindSelect.value : "" };
    Array.prototype.forEach.call(verdictBoxes, function (box) {
      if (!box.checked) { state.off.push(box.value); }
    });
    try { window.sessionStorage.setItem(STORE, JSON.stringify(state)); } catch (e) { /* storage refused: filters last as long as the page */ }
  }
  function restoreFilters() {
    var state = null;
    try { state = JSON.parse(window.sessionStorage.getItem(STORE) || "null"); } catch (e) { state = null; }
    if (!state) { return; }
    Array.prototype.forEach.call(verdictBoxes, function (box) {
      box.checked = (state.off || []).indexOf(box.value) < 0;
    });
    if (kindSelect && state.kind && kindSelect.querySelector("option[value=\"" + state.kind + "\"]")) {
      kindSelect.value = state.kind;
    }
  }
  function applyFilters() {
    var verdicts = {};
    Array.prototype.forEach.call(verdictBoxes, function (box) {
      verdicts[box.value] = box.checked;
    });
    var kind = kindSelect ? kindSelect.value : "";
    var items = doc.querySelectorAll("[data-verdict]");
    var shown = 0;
    Array.prototype.forEach.call(items, function (el) {
      var kinds = (el.getAttribute("data-kinds") || "").split(" ");
      var ok = verdicts[el.getAttribute("data-verdict")] !== false && (!kind || kinds.indexOf(kind) >= 0);
      el.hidden = !ok;
      if (ok) { shown += 1; }
    });
    /* a section whose quotations are all filtered out goes too, heading and all */
    Array.prototype.forEach.call(doc.querySelectorAll("[data-filter-section]"), function (section) {
      var own = section.querySelectorAll("[data-verdict]");
      var any = own.length === 0;
      Array.prototype.forEach.call(own, function (el) { if (!el.hidden) { any = true; } });
      section.hidden = !any;
    });
    if (status) {
      status.textContent = "Showing " + shown + " of " + items.length + " quotations.";
    }
  }
  function filtersChanged() {
    saveFilters();
    applyFilters();
  }
  Array.prototype.forEach.call(verdictBoxes, function (box) {
    box.addEventListener("change", filtersChanged);
  });
  if (kindSelect) { kindSelect.addEventListener("change", filtersChanged); }
  if (verdictBoxes.length || kindSelect) {
    restoreFilters();
    applyFilters();
  }

  /* keyboard: j/k between quotations, n/p between variants, t toggles the diff view, ? lists the keys */
  function step(selector, delta, current) {
    var items = all(selector);
    if (!items.length) { return null; }
    var active = current || doc.activeElement;
    var index = items.indexOf(active);
    if (index < 0 && active && active !== body && active !== root && visible(active)) {
      /* from a quotation (or anything else focused): the first change inside or after it, the last before it */
      index = delta > 0 ? -1 : items.length;
      for (var k = 0; k < items.length; k += 1) {
        var where = active.compareDocumentPosition(items[k]);
        var after = (where & 4) || (where & 16);
        if (delta > 0 && after) { index = k - 1; break; }
        if (delta < 0 && !after) { index = k + 1; }
      }
    } else if (index < 0) {
      var y = window.scrollY + 1;
      index = delta > 0 ? -1 : items.length;
      for (var i = 0; i < items.length; i += 1) {
        var top = items[i].getBoundingClientRect().top + window.scrollY;
        if (delta > 0 && top < y) { index = i; }
        if (delta < 0 && top < y) { index = i + 1; }
      }
    }
    var next = items[Math.max(0, Math.min(items.length - 1, index + delta))];
    next.focus();
    next.scrollIntoView({ block: "center" });
    return next;
  }
  var help = doc.getElementById("keys-help");
  var helpFrom = null;
  function showHelp(open) {
    if (!help) { return; }
    if (open) {
      helpFrom = doc.activeElement;
      help.hidden = false;
      help.focus();
    } else if (!help.hidden) {
      help.hidden = true;
      if (helpFrom && helpFrom.focus) { helpFrom.focus(); }
    }
  }
  var currentVariant = null;
  function setVariant(el) {
    if (currentVariant) { currentVariant.classList.remove("current"); }
    currentVariant = el;
    if (currentVariant) { currentVariant.classList.add("current"); }
  }
  doc.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var target = ev.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "SELECT" || target.tagName === "TEXTAREA" || target.isContentEditable)) {
      return;
    }
    var key = ev.key;
    if (key === "?") {
      showHelp(help ? help.hidden : false);
      ev.preventDefault();
    } else if (key === "Escape") {
      showHelp(false);
    } else if (key === "j" || key === "k") {
      /* a new quotation: n/p start from it, not from the change last visited */
      setVariant(null);
      step("[data-nav=quote]", key === "j" ? 1 : -1, null);
      ev.preventDefault();
    } else if (key === "n" || key === "p") {
      var from = doc.activeElement && doc.activeElement.matches("[data-nav=variant]") ? doc.activeElement : currentVariant;
      if (from && !visible(from)) { from = null; }
      setVariant(step("[data-nav=variant]", key === "n" ? 1 : -1, from));
      ev.preventDefault();
    } else if (key === "t" && toggle) {
      setView(!body.classList.contains("view-side"));
      ev.preventDefault();
    }
  });

  /* copy correction note */
  function copied(button, ok) {
    var out = button.nextElementSibling;
    if (out && out.classList.contains("copy-status")) {
      out.textContent = ok ? "Copied." : "Select the note above and copy it.";
    }
  }
  function fallbackCopy(button, text) {
    var area = doc.createElement("textarea");
    area.value = text;
    area.setAttribute("readonly", "");
    area.className = "sr";
    body.appendChild(area);
    area.select();
    var ok = false;
    try { ok = doc.execCommand("copy"); } catch (e) { ok = false; }
    body.removeChild(area);
    copied(button, ok);
  }
  Array.prototype.forEach.call(doc.querySelectorAll(".copy-note"), function (button) {
    button.addEventListener("click", function () {
      var text = button.getAttribute("data-note") || "";
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(text).then(function () { copied(button, true); }, function () { fallbackCopy(button, text); });
      } else {
        fallbackCopy(button, text);
      }
    });
  });
})();
