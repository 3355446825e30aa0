// The audit report's sample filter, and what the browser test reads.
(function () {
  "use strict";
  var input = document.getElementById("sample-filter");
  var groups = Array.prototype.slice.call(document.querySelectorAll("section.group"));
  var counter = document.getElementById("sample-count");
  function apply() {
    var words = input.value.toLowerCase().split(/\s+/).filter(Boolean);
    var shown = 0;
    groups.forEach(function (group) {
      var cards = group.querySelectorAll("details.sample");
      var groupText = (group.getAttribute("data-group") || "").toLowerCase();
      var visible = 0;
      Array.prototype.forEach.call(cards, function (card) {
        var text = groupText + " " + (card.getAttribute("data-search") || "").toLowerCase() + " " +
                   card.textContent.toLowerCase();
        var match = words.every(function (word) { return text.indexOf(word) !== -1; });
        card.hidden = !match;
        if (match) { visible += 1; }
      });
      group.hidden = words.length > 0 && visible === 0;
      shown += visible;
    });
    counter.textContent = shown + " samples shown";
  }
  input.addEventListener("input", apply);
  document.getElementById("expand-all").addEventListener("click", function () {
    Array.prototype.forEach.call(document.querySelectorAll("details.sample"), function (card) { card.open = true; });
  });
  apply();
  // What the page shows, measured by the browser: the browser test reads these.
  function visibleCount(selector) {
    return Array.prototype.filter.call(document.querySelectorAll(selector), function (element) {
      var box = element.getBoundingClientRect();
      return box.width > 0 && box.height > 0;
    }).length;
  }
  document.body.setAttribute("data-visible-charts", String(visibleCount("svg.chart")));
  document.body.setAttribute("data-visible-samples", String(visibleCount("details.sample")));
  document.body.setAttribute("data-ready", "true");
})();
