// Triage keyboard: j / k move between rows, Enter or o opens the selected row; with the right to act,
// r marks it reviewed, d dismisses, e escalates (each submits the row's own form), x ticks it for a case,
// c adds the ticked rows to the case chosen at the top.
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
  function press(selector) {
    if (current < 0) { return; }
    var button = rows[current].querySelector(selector);
    if (button) { button.click(); }
  }
  rows.forEach(function (row, index) {
    row.addEventListener("click", function (event) {
      if (event.target.closest("a, button, input, select, label, summary, form")) { return; }
      select(index);
    });
  });
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    if (target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT")) { return; }
    if (event.ctrlKey || event.metaKey || event.altKey) { return; }
    var key = event.key;
    if (key === "j") { event.preventDefault(); select(current + 1); }
    else if (key === "k") { event.preventDefault(); select(Math.max(current - 1, 0)); }
    else if ((key === "Enter" || key === "o") && current >= 0) {
      if (key === "Enter" && target && (target.tagName === "A" || target.tagName === "BUTTON" || target.tagName === "SUMMARY")) { return; }
      event.preventDefault();
      window.location.href = rows[current].getAttribute("data-href");
    }
    else if (key === "r") { event.preventDefault(); press("button.act-review"); }
    else if (key === "d") { event.preventDefault(); press("button.act-dismiss"); }
    else if (key === "e") { event.preventDefault(); press("button.act-escalate"); }
    else if (key === "x" && current >= 0) {
      event.preventDefault();
      var box = rows[current].querySelector("input.pick");
      if (box) { box.checked = !box.checked; }
    }
    else if (key === "c") {
      var form = document.getElementById("add-to-case");
      if (!form) { return; }
      event.preventDefault();
      var ticked = document.querySelectorAll("input.pick:checked").length;
      if (!ticked && current >= 0) {
        var own = rows[current].querySelector("input.pick");
        if (own) { own.checked = true; }
      }
      var choice = form.querySelector("select.case-choice");
      if (choice && choice.value === "new") { form.querySelector("input[name=title]").focus(); return; }
      form.querySelector("button.add-button").click();
    }
  });
  select(0);
})();
