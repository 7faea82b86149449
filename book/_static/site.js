// Small fixes to the themes' behaviour, each one waiting for a theme release that makes it unnecessary.
"use strict";

// pydata-sphinx-theme 0.17.1 and sphinx-book-theme 1.3.0 attach their sidebar handlers to the first
// .primary-toggle / .secondary-toggle in the page, which is a button in a header that the book theme hides
// (pydata-sphinx-theme#2451). The buttons a reader sees therefore did nothing. They now hand their click
// to the button the themes listen to, so the themes' own code opens the drawer on a phone and collapses
// the sidebar on a desktop.
document.addEventListener("DOMContentLoaded", () => {
  for (const selector of [".primary-toggle", ".secondary-toggle"]) {
    const [bound, ...visible] = document.querySelectorAll(selector);
    for (const button of visible) {
      button.addEventListener("click", (event) => {
        event.preventDefault();
        event.stopPropagation();
        button.blur(); // dismisses the button's tooltip, as the themes do for the button they know
        bound.click();
      });
    }
  }
});

// A formula or a wide figure that is wider than its box scrolls inside it (site.css). So that a keyboard can
// scroll it too, such a box takes part in the Tab order, and only while it is too wide: on a wide screen most
// formulas fit and stay out of the way (WCAG 2.1.1; axe's scrollable-region-focusable).
function markIfScrolling(box) {
  if (box.scrollWidth > box.clientWidth + 1) {
    box.setAttribute("tabindex", "0");
  } else {
    box.removeAttribute("tabindex");
  }
}
// Whenever a box changes size (the page's layout settling, a sidebar closing, a phone turning), look again.
const scrollingBoxes = new ResizeObserver((entries) => entries.forEach((entry) => markIfScrolling(entry.target)));
document.addEventListener("DOMContentLoaded", () => {
  for (const box of document.querySelectorAll("div.math > mjx-container, span.math, figure.wide-figure")) {
    scrollingBoxes.observe(box);
  }
});
