// Triage keyboard: j / k move between rows, Enter or o opens the selected record.
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".triage-row"));
  if (!rows.length) { return; }
  var current = -1;
  function select(index) {
    if (index < 0 || index >= rows.length) { return; }
    if (current >= 0) { rows[current].classList.remove("selected"); rows[current].removeAttribute("aria-current"); }
    current = index;
    rows[current].classList.add("selected");
    rows[current].setAttribute("aria-current", "true");
    rows[current].focus({ preventScroll: true });
    rows[current].scrollIntoView({ block: "nearest" });
  }
  rows.forEach(function (row, index) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a")) { return; }
      select(index);
      window.location.href = row.getAttribute("data-href");
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    if (event.key === "j") { event.preventDefault(); select(current + 1); }
    else if (event.key === "k") { event.preventDefault(); select(Math.max(current - 1, 0)); }
    else if ((event.key === "Enter" || event.key === "o") && current >= 0) {
      if (event.key === "Enter" && target && target.tagName === "A") { return; }
      event.preventDefault();
      window.location.href = rows[current].getAttribute("data-href");
    }
  });
  select(0);
})();
