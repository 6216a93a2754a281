// The logs toolbar. On wide layouts it stays one line: as many whole filter chips as fit are shown, in
// order, and the rest wait behind a "+N" menu. When not everything fits (a chip, or any control: the
// line would be wider than the window), the toolbar goes "tight": closer controls, the time ranges fold
// into a menu whose label is the range in force, and "clear all" moves into the "+N" menu, so the room
// goes to the chips. On the narrow layout the filter line has no room for the ranges: they are that
// menu always, moved beside the search box.
//
// When even the tight line leaves no room for one chip, or the line is still too wide (the store-health
// badge takes room too), the chips take a line of their own below the controls.
//
// Each fit reads the layout at most three times, never in a loop: first the plain toolbar (its overflow, the
// chips' widths and the room they have), then, only when tight, the room the tight toolbar leaves, then,
// only when the chips need their own line, the room on it. Fits run at start and then once per animation
// frame in which the toolbar's, the chips' or the health badge's box changed size.

const NARROW = matchMedia("(max-width: 760px)");  // as the narrow layout in static/css/logs.css

export function installToolbar() {
  const bar = document.querySelector(".filterbar"), time = document.getElementById("time-menu");
  const ranges = time.closest(".quick-time"), filters = document.getElementById("filter-form");
  const search = document.getElementById("search-form");
  const box = bar.querySelector(".chips"), list = box?.querySelector(".chip-list");
  const more = box?.querySelector(".chips-more"), summary = more?.querySelector("summary");
  const clear = box?.querySelector(".chip-clear");
  const chips = list ? [...list.children] : [];

  const place = () => {  // the ranges: after the filters, or after the search box on the narrow layout
    const after = NARROW.matches ? search : filters;
    if (ranges.previousElementSibling !== after) after.after(ranges);
  };
  const setTight = tight => {
    bar.classList.toggle("tight", tight);
    if (!tight) bar.classList.remove("chips-line");
    const folded = tight || NARROW.matches;
    if (time.classList.contains("menu") !== folded) {
      time.classList.toggle("menu", folded);  // a menu like View and Export (Escape closes it)
      time.open = !folded;
    }
  };
  const setMore = hidden => {
    summary.textContent = `+${hidden}`;
    summary.setAttribute("aria-label", `${hidden} more filter${hidden === 1 ? "" : "s"}`);
  };

  const fit = () => {
    // write: the plain toolbar, every chip, "+N" and "clear all" shown (the chips' box does not depend on
    // them: it takes what the other controls leave, down to its least width)
    place();
    const timeOpen = time.classList.contains("menu") && time.open;
    setTight(false);
    if (box) {
      for (const chip of chips) chip.hidden = false;
      more.hidden = false;
      more.open = false;
      if (clear) clear.hidden = false;
      setMore(chips.length);
    }
    // read, once: a wide toolbar wider than the window (the narrow one wraps), then the chips
    let tight = bar.scrollWidth > bar.clientWidth + 0.5;
    const gap = box ? parseFloat(getComputedStyle(box).columnGap) || 0 : 0;
    const widths = chips.map(chip => chip.getBoundingClientRect().width);
    const moreW = box ? more.getBoundingClientRect().width : 0;
    const clearW = clear ? clear.getBoundingClientRect().width + gap : 0;
    const row = k => widths.slice(0, k).reduce((sum, w) => sum + w + gap, -gap);  // k chips and the gaps between
    let shown = chips.length;
    if (box && row(chips.length) + clearW > box.clientWidth + 0.5) tight = true;
    const fitIn = room => {  // whole chips, in order, then "+N" (which holds "clear all" too)
      if (row(chips.length) + clearW <= room + 0.5) return chips.length;
      let k = 0;
      while (k < chips.length - 1 && row(k + 1) + gap + moreW <= room + 0.5) k++;
      return k;
    };
    if (tight) {
      setTight(true);
      const room = box ? box.clientWidth : 0;  // read, the second time
      const over = bar.scrollWidth > bar.clientWidth + 0.5;
      if (box) shown = fitIn(room);
      if (box && (shown === 0 || over)) {
        bar.classList.add("chips-line");
        shown = fitIn(box.clientWidth);  // read, the third and last time
      }
    }
    // write
    if (timeOpen && time.classList.contains("menu")) time.open = true;  // a refit leaves an open menu open
    if (!box) return;
    chips.forEach((chip, i) => { chip.hidden = i >= shown; });
    more.hidden = shown === chips.length;
    if (clear) clear.hidden = !more.hidden;
    setMore(chips.length - shown);
  };

  // the menu lists copies of the hidden chips (and "clear all") while it is open, and only then: one
  // chip per filter in the page
  more?.addEventListener("toggle", () => {
    const hidden = more.open ? [...chips.filter(chip => chip.hidden), ...(clear?.hidden ? [clear] : [])] : [];
    more.querySelector(".menu-items").replaceChildren(...hidden.map(node => {
      const copy = node.cloneNode(true);
      copy.hidden = false;
      return copy;
    }));
  });
  fit();
  let frame = 0;
  const observer = new ResizeObserver(() => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; fit(); }); });
  observer.observe(bar);
  if (box) observer.observe(box);
  const health = document.getElementById("store-health");
  if (health) observer.observe(health);  // shown or hidden: its box changes size
}
