// Renders TeX to SVG at build time for book/_ext/server_math.py, with the MathJax copy that scripts/setup
// installs (pinned by version and checksum). One process serves a whole build: it reads one JSON request per
// line on stdin and answers with one JSON line on stdout.
//
//   {"op": "render", "tex": "...", "display": true}  ->  {"html": "<mjx-container ...>"} or {"error": "..."}
//       ("flatten": false keeps MathJax's groups as they are: tests/test_server_math.py compares the two)
//   {"op": "defs"}                                   ->  {"html": "<defs><path id=... d=...>...</defs>"}
//   {"op": "css"}                                    ->  {"css": "..."}
//
// Glyph outlines are not repeated in each formula: formulas reference them by id (MathJax's global font
// cache), "defs" hands over the outlines drawn since it was last asked, and server_math.py puts into each page
// the outlines that page uses. Every formula also carries MathML for screen readers (assistive-mml).
//
// MathJax wraps every MathML node in a <g data-mml-node="..."> for its in-browser tools (explorer, menu), which
// the book does not run; each is one more element for a reader's phone to style and lay out (a chapter had
// 4,200 of them, among 19,000 elements). So, in the SVG only (the MathML beside it stays as it is), a group
// that carries nothing but those labels is replaced by its children, and a group that carries the labels and a
// transform around one single element hands the transform down to it: SVG composes a transform list left to
// right, so "A" around "B" draws as "A B". Groups that draw (fill, stroke, links) stay, and so do the merror,
// maction and mtable groups, whose labels mathjax-svg.css selects (a table's rules get their width that way).
"use strict";

const readline = require("readline");

const mathjaxDir = process.argv[2];
if (!mathjaxDir) {
  process.stderr.write("usage: node tex2svg.js MATHJAX_ES5_DIR\n");
  process.exit(2);
}

require(`${mathjaxDir}/node-main.js`)
  .init({
    loader: {
      versionWarnings: false,
      paths: { mathjax: mathjaxDir },
      load: ["input/tex-full", "output/svg", "adaptors/liteDOM", "a11y/assistive-mml"],
    },
    tex: {
      // Without these two packages an unknown macro or a TeX syntax error is an error for the build,
      // instead of red text on the page that only a reader would notice.
      packages: { "[-]": ["noundefined", "noerrors"] },
      formatError: (jax, error) => {
        throw error;
      },
    },
    svg: { fontCache: "global" },
    options: { enableAssistiveMml: true },
    startup: { typeset: false },
  })
  .then((MathJax) => {
    const adaptor = MathJax.startup.adaptor;
    const fontCache = MathJax.startup.output.fontCache;
    fontCache.clearCache();

    const LABELS = new Set(["data-mml-node", "data-mjx-texclass"]);
    const STYLED_BY_LABEL = new Set(["merror", "maction", "mtable"]);
    const onlyLabels = (node, allowed) =>
      adaptor.kind(node) === "g" &&
      !STYLED_BY_LABEL.has(adaptor.getAttribute(node, "data-mml-node")) &&
      adaptor.allAttributes(node).every(({ name }) => LABELS.has(name) || name === allowed);
    const flattenGroups = (node) => {
      for (const child of [...adaptor.childNodes(node)]) {
        if (adaptor.kind(child) === "#text") continue;
        flattenGroups(child);
        const grandchildren = adaptor.childNodes(child);
        if (onlyLabels(child)) {
          for (const grandchild of [...grandchildren]) adaptor.insert(grandchild, child);
          adaptor.remove(child);
        } else if (onlyLabels(child, "transform") && grandchildren.length === 1) {
          const [only] = grandchildren;
          // A nested <svg> (a tagged equation's label column) keeps its group: a transform on <svg> is SVG 2,
          // which not every browser draws.
          if (adaptor.kind(only) === "#text" || adaptor.kind(only) === "svg") continue;
          const inner = adaptor.getAttribute(only, "transform");
          const outer = adaptor.getAttribute(child, "transform");
          adaptor.setAttribute(only, "transform", inner ? `${outer} ${inner}` : outer);
          adaptor.insert(only, child);
          adaptor.remove(child);
        }
      }
    };

    const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");
    const handlers = {
      render: ({ tex, display, flatten }) => {
        try {
          const container = MathJax.tex2svg(tex, { display: Boolean(display) });
          if (flatten !== false) flattenGroups(adaptor.firstChild(container)); // the <svg>, not the MathML
          return { html: adaptor.outerHTML(container) };
        } catch (error) {
          return { error: String(error.message || error) };
        }
      },
      defs: () => {
        const defs = adaptor.outerHTML(fontCache.getCache());
        fontCache.clearCache();
        return { html: defs };
      },
      css: () => ({ css: adaptor.textContent(MathJax.svgStylesheet()) }),
    };

    const lines = readline.createInterface({ input: process.stdin, terminal: false });
    lines.on("line", (line) => {
      const request = JSON.parse(line);
      const handler = handlers[request.op];
      answer(handler ? handler(request) : { error: `unknown op ${request.op}` });
    });
    answer({ ready: true });
  })
  .catch((error) => {
    process.stderr.write(`tex2svg: MathJax failed to start: ${error.stack || error}\n`);
    process.exit(1);
  });
