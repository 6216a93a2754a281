// The logs list's view options (wrap, comfortable density, relative times), applied to <html>
// before first paint so a remembered choice never makes the list jump; logs/view.js toggles them.
(function () {
  for (const name of ["wrap", "comfortable", "relative"]) {
    if (localStorage.getItem(`logdash.view.${name}`) === "1") document.documentElement.setAttribute(`data-${name}`, "");
  }
})();
