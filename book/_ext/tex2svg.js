// Renders TeX to SVG at build time for book/_ext/server_math.py, with the MathJax copy that scripts/setup
// installs (pinned by version and checksum). One process serves a whole build: it reads one JSON request per
// line on stdin and answers with one JSON line on stdout.
//
//   {"op": "render", "tex": "...", "display": true}  ->  {"html": "<mjx-container ...>"} or {"error": "..."}
//   {"op": "defs"}                                   ->  {"html": "<defs><path id=... d=...>...</defs>"}
//   {"op": "css"}                                    ->  {"css": "..."}
//
// Glyph outlines are not repeated in each formula: formulas reference them by id (MathJax's global font
// cache), "defs" hands over the outlines drawn since it was last asked, and server_math.py puts into each page
// the outlines that page uses. Every formula also carries MathML for screen readers (assistive-mml).
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

    const answer = (message) => process.stdout.write(JSON.stringify(message) + "\n");
    const handlers = {
      render: ({ tex, display }) => {
        try {
          const container = MathJax.tex2svg(tex, { display: Boolean(display) });
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
