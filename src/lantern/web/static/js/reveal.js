// Images are blurred until an investigator reveals one. The reveal is announced to the server first
// (POST /api/images/{sha}/reveal, 204) so that it can be audited; only then is the full image loaded.
// The POST carries the session's CSRF token from <meta name="csrf-token"> (no inline scripts).
(function () {
  "use strict";
  var SHA = /^[0-9a-f]{64}$/;
  document.addEventListener("click", function (event) {
    var button = event.target.closest ? event.target.closest("button.reveal") : null;
    if (!button) { return; }
    var sha = button.getAttribute("data-sha") || "";
    if (!SHA.test(sha)) { return; }
    button.disabled = true;
    var meta = document.querySelector('meta[name="csrf-token"]');
    var headers = meta ? { "X-CSRF-Token": meta.getAttribute("content") || "" } : {};
    fetch("/api/images/" + sha + "/reveal", { method: "POST", credentials: "same-origin", headers: headers })
      .then(function (response) {
        if (response.status !== 204) { throw new Error("reveal refused: " + response.status); }
        var figure = button.closest("figure");
        var img = figure ? figure.querySelector("img") : null;
        if (img) {
          img.src = "/media/" + sha;
          img.classList.remove("blurred");
          img.classList.add("revealed");
          img.alt = "Revealed image " + sha.slice(0, 12);
        }
        button.textContent = "Revealed";
      })
      .catch(function () { button.disabled = false; button.textContent = "Reveal failed — retry"; });
  });
})();
