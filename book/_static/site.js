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

// Search as you type, in the search dialog (Ctrl+K or the search button). The theme's own version would load
// the whole search index, and Sphinx's search code, into every page before a reader ever searches; here they
// are loaded the first time the reader types into the dialog, with the same scripts search.html uses, so the
// results are the ones the search page ranks first. Enter still opens search.html with every result and its
// context. The strings come from the page (layout.html), so each edition shows its own language.
const SEARCH_AS_YOU_TYPE_RESULTS = 8;
const SEARCH_AS_YOU_TYPE_DELAY_MS = 150;

function loadScriptsInOrder(urls) {
  return urls.reduce(
    (previous, url) =>
      previous.then(
        () =>
          new Promise((resolve, reject) => {
            const script = document.createElement("script");
            script.src = url;
            script.onload = resolve;
            script.onerror = () => reject(new Error(`search: could not load ${url}`));
            document.head.appendChild(script);
          }),
      ),
    Promise.resolve(),
  );
}

function setUpSearchAsYouType() {
  const dialog = document.getElementById("pst-search-dialog");
  const input = dialog && dialog.querySelector("input[name=q]");
  const stringsElement = document.getElementById("book-search-strings");
  if (!input || !stringsElement || DOCUMENTATION_OPTIONS.pagename === "search") return;
  const strings = JSON.parse(stringsElement.textContent);
  const root = document.documentElement.dataset.content_root;

  const panel = document.createElement("div");
  panel.className = "book-search-as-you-type";
  const status = panel.appendChild(document.createElement("p"));
  status.className = "book-search-status";
  status.setAttribute("role", "status"); // read out by screen readers as it changes
  const list = panel.appendChild(document.createElement("ul"));
  list.setAttribute("aria-label", strings.resultsLabel);
  const more = panel.appendChild(document.createElement("a"));
  more.className = "book-search-all";
  more.textContent = strings.allResults;
  panel.hidden = true;
  dialog.appendChild(panel);

  let searchReady = null;
  let timer = null;
  let typed = "";
  const show = (query) => {
    more.href = `${root}search.html?q=${encodeURIComponent(query)}`;
    // Search._parseQuery and Search._performSearch are the two halves of Search.query in Sphinx 7.4 (pinned);
    // Search.query itself would also fetch every result page for its summary. The results come best last.
    const results = Search._performSearch(...Search._parseQuery(query)).reverse();
    // A page found both by an index entry and by its words is listed once, at its best link (the entry's).
    const seen = new Set();
    const items = [];
    for (const [docname, title, anchor] of results) {
      const parsed = document.createElement("span");
      parsed.innerHTML = title; // titles in the index are HTML, as Sphinx's search page treats them
      const text = parsed.textContent;
      if (seen.has(text)) continue;
      seen.add(text);
      const item = document.createElement("li");
      const link = item.appendChild(document.createElement("a"));
      link.href = `${root}${docname}${DOCUMENTATION_OPTIONS.LINK_SUFFIX}${anchor}`;
      link.textContent = text;
      items.push(item);
      if (items.length === SEARCH_AS_YOU_TYPE_RESULTS) break;
    }
    list.replaceChildren(...items);
    status.textContent = results.length
      ? strings.found.replace("{n}", results.length)
      : strings.noResults;
    more.hidden = !results.length;
    panel.hidden = false;
  };
  const loadSearch = () =>
    loadScriptsInOrder([`${root}_static/searchtools.js`]).then(() => {
      // Running searchtools.js ran Search.init, which sets every search box to the address's ?q=, here none;
      // no input event can come between that and this load event, so `typed` is what the reader had typed.
      input.value = typed;
      return loadScriptsInOrder([`${root}_static/language_data.js`, `${root}searchindex.js`]);
    });
  input.addEventListener("input", () => {
    typed = input.value;
    clearTimeout(timer);
    const query = typed.trim();
    if (!query) {
      panel.hidden = true;
      return;
    }
    searchReady ??= loadSearch();
    timer = setTimeout(() => {
      searchReady.then(
        () => {
          if (input.value.trim() === query) show(query); // else a later keystroke has its own timer
        },
        (error) => {
          status.textContent = strings.unavailable;
          panel.hidden = false;
          throw error;
        },
      );
    }, SEARCH_AS_YOU_TYPE_DELAY_MS);
  });
}
document.addEventListener("DOMContentLoaded", setUpSearchAsYouType);
