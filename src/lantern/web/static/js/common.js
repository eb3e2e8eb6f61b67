// Lantern: small shared behaviour. "/" focuses the search box from anywhere (except while typing).
(function () {
  "use strict";
  document.addEventListener("keydown", function (event) {
    var target = event.target;
    var typing = target && (target.tagName === "INPUT" || target.tagName === "TEXTAREA" || target.tagName === "SELECT" || target.isContentEditable);
    if (event.key === "/" && !typing && !event.ctrlKey && !event.metaKey && !event.altKey) {
      var box = document.getElementById("top-q");
      if (box) { event.preventDefault(); box.focus(); box.select(); }
    }
  });
})();
