// The filter chips stay on the toolbar's one line: as many whole chips as fit are shown, in order,
// and the rest wait behind a "+N" menu. When not every chip fits, the toolbar goes "tight": the time
// ranges fold into a menu (wide layout only: the narrow one scrolls them sideways), and "clear all"
// moves into the "+N" menu, so the room goes to the chips.
//
// Each fit reads the layout at most twice, never in a loop: first with every chip shown (the chips'
// widths and the room they have), then, only when tight, the room the tight toolbar leaves. Fits run
// at start and then once per animation frame in which the chips' box changed size.

const NARROW = matchMedia("(max-width: 760px)");  // as the narrow layout in static/css/logs.css

export function installChips() {
  const box = document.querySelector(".chips");
  if (!box) return;
  const bar = box.closest(".filterbar"), list = box.querySelector(".chip-list");
  const more = box.querySelector(".chips-more"), summary = more.querySelector("summary");
  const clear = box.querySelector(".chip-clear"), time = document.getElementById("time-menu");
  const chips = [...list.children];

  const setTight = tight => {
    bar.classList.toggle("tight", tight);
    const folded = tight && !NARROW.matches;
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
    // write: the plain toolbar, every chip, "+N" and "clear all" shown (the box's own width does not
    // depend on them: it takes what the other controls leave)
    const timeOpen = time.classList.contains("menu") && time.open;
    setTight(false);
    for (const chip of chips) chip.hidden = false;
    more.hidden = false;
    more.open = false;
    if (clear) clear.hidden = false;
    setMore(chips.length);
    // read, once
    const gap = parseFloat(getComputedStyle(box).columnGap) || 0;
    const widths = chips.map(chip => chip.getBoundingClientRect().width);
    const moreW = more.getBoundingClientRect().width, clearW = clear ? clear.getBoundingClientRect().width + gap : 0;
    let room = box.clientWidth;
    const row = k => widths.slice(0, k).reduce((sum, w) => sum + w + gap, -gap);  // k chips and the gaps between
    let shown = chips.length;
    if (row(chips.length) + clearW > room + 0.5) {
      setTight(true);
      room = box.clientWidth;  // read, the second and last time
      if (row(chips.length) + clearW > room + 0.5) {
        shown = 0;  // whole chips, in order, then "+N" (which holds "clear all" too)
        while (shown < chips.length - 1 && row(shown + 1) + gap + moreW <= room + 0.5) shown++;
      }
    }
    // write
    if (timeOpen && time.classList.contains("menu")) time.open = true;  // a refit leaves an open menu open
    chips.forEach((chip, i) => { chip.hidden = i >= shown; });
    more.hidden = shown === chips.length;
    if (clear) clear.hidden = !more.hidden;
    setMore(chips.length - shown);
  };

  // the menu lists copies of the hidden chips (and "clear all") while it is open, and only then: one
  // chip per filter in the page
  more.addEventListener("toggle", () => {
    const hidden = more.open ? [...chips.filter(chip => chip.hidden), ...(clear?.hidden ? [clear] : [])] : [];
    more.querySelector(".menu-items").replaceChildren(...hidden.map(node => {
      const copy = node.cloneNode(true);
      copy.hidden = false;
      return copy;
    }));
  });
  fit();
  let frame = 0;
  new ResizeObserver(() => { if (!frame) frame = requestAnimationFrame(() => { frame = 0; fit(); }); }).observe(box);
}
