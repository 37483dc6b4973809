// Console enhancements; every page works without them (CSP: script-src 'self').
(function () {
  "use strict";
  // Copy buttons: <button data-copy="element-id" data-done="Copied" hidden>.
  document.querySelectorAll("button[data-copy]").forEach(function (btn) {
    if (!navigator.clipboard) return;
    btn.hidden = false;
    btn.addEventListener("click", function () {
      var el = document.getElementById(btn.getAttribute("data-copy"));
      if (!el) return;
      navigator.clipboard.writeText(el.textContent.trim()).then(function () {
        btn.textContent = btn.getAttribute("data-done") || btn.textContent;
      });
    });
  });
})();
