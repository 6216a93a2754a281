// Before first paint: tell the server which zone to render times in (dashboard/web/zone.py reads
// the cookie on every page). The zone is this browser's own, or UTC when the user chose UTC (the
// toggle; zone.js). A page rendered in another zone (a first visit, a changed zone) is loaded
// once more before anything is drawn, never twice in a row for the same zone.
(function () {
  const UTC_NAMES = ["UTC", "Etc/UTC", "Etc/UCT", "UCT", "Etc/Zulu", "Zulu", "Universal", "Etc/Universal"];
  let want = "UTC";
  if (localStorage.getItem("logdash.utc") !== "1") {
    try { want = Intl.DateTimeFormat().resolvedOptions().timeZone || "UTC"; } catch { want = "UTC"; }
  }
  if (UTC_NAMES.includes(want) || !/^[A-Za-z0-9_+\/-]{1,64}$/.test(want)) want = "UTC";  // a cookie-safe name
  const sent = document.cookie.match(/(?:^|;\s*)logdash_zone=([^;]*)/);
  if (sent && sent[1] === want) return;
  document.cookie = `logdash_zone=${want}; path=/; max-age=31536000; samesite=lax`;
  const rendered = document.documentElement.dataset.zone;
  if (rendered && rendered !== want && sessionStorage.getItem("logdash.zone-reload") !== want &&
      document.cookie.includes("logdash_zone=")) {
    sessionStorage.setItem("logdash.zone-reload", want);  // cookies refused or zone unknown: no loop
    window.stop();
    location.reload();
  }
})();
