(function () {
  "use strict";
  var doc = document;
  Array.prototype.forEach.call(doc.querySelectorAll("[data-js-only]"), function (el) {
    el.hidden = false;
  });

  /* n/p (or j/k): the next or previous change, in the text and in the list beside it */
  var changes = Array.prototype.slice.call(doc.querySelectorAll("td.b mark[data-nav=change]"));
  var current = -1;
  function listEntry(mark) {
    var ref = mark.id.replace(/^b-/, "");
    return doc.getElementById("l-" + ref);
  }
  function go(index) {
    if (!changes.length) { return; }
    index = Math.max(0, Math.min(changes.length - 1, index));
    if (current >= 0) {
      changes[current].classList.remove("current");
      var old = listEntry(changes[current]);
      if (old) { old.classList.remove("current"); }
    }
    current = index;
    var mark = changes[current];
    var fold = mark.closest("details");
    if (fold) { fold.open = true; }
    mark.classList.add("current");
    mark.focus({ preventScroll: true });
    mark.scrollIntoView({ block: "center" });
    var entry = listEntry(mark);
    if (entry) {
      entry.classList.add("current");
      entry.scrollIntoView({ block: "nearest" });
    }
  }
  function nearest(delta) {
    /* from the top of the window when no change is current yet: n goes to the first change in view */
    var y = 1;
    var index = delta > 0 ? -1 : changes.length;
    for (var i = 0; i < changes.length; i += 1) {
      var top = changes[i].getBoundingClientRect().top;
      if (delta > 0 && top < y - 1) { index = i; }
      if (delta < 0 && top <= y + 1) { index = i + 1; }
    }
    return index;
  }
  doc.addEventListener("keydown", function (ev) {
    if (ev.altKey || ev.ctrlKey || ev.metaKey) { return; }
    var t = ev.target;
    if (t && (t.tagName === "INPUT" || t.tagName === "SELECT" || t.tagName === "TEXTAREA" || t.isContentEditable)) { return; }
    var delta = (ev.key === "n" || ev.key === "j") ? 1 : (ev.key === "p" || ev.key === "k") ? -1 : 0;
    if (!delta) { return; }
    go((current >= 0 ? current : nearest(delta)) + delta);
    ev.preventDefault();
  });
  /* a click in the list makes that change the current one */
  Array.prototype.forEach.call(doc.querySelectorAll("ol.variants > li > .head > a"), function (a) {
    a.addEventListener("click", function () {
      var target = doc.getElementById(a.getAttribute("href").slice(1));
      var index = changes.indexOf(target);
      if (index >= 0) { go(index); }
    });
  });
})();
