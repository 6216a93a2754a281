// Apply the remembered theme before first paint; the toggle overrides the system preference.
(function () {
  const KEY = "logdash.theme";
  const saved = localStorage.getItem(KEY);
  if (saved === "dark" || saved === "light") document.documentElement.dataset.theme = saved;
  document.addEventListener("DOMContentLoaded", () => {
    const button = document.getElementById("theme-toggle");
    if (!button) return;
    button.addEventListener("click", () => {
      const current = document.documentElement.dataset.theme ||
        (matchMedia("(prefers-color-scheme: dark)").matches ? "dark" : "light");
      const next = current === "dark" ? "light" : "dark";
      document.documentElement.dataset.theme = next;
      localStorage.setItem(KEY, next);
    });
  });
})();
