#!/usr/bin/env node
// Copy the front-end files the site serves from node_modules/ into static/vendor/.
//
// Government intranets have no internet access, so every asset is served locally:
// this script refuses any stylesheet that would fetch from another host, and checks
// that every relative url() in a copied stylesheet points at a file that was copied.
//
// The list below is explicit on purpose: only what a page loads is copied.
// Source-map comments are stripped (the .map files are not shipped); otherwise
// browsers request missing maps and Django's ManifestStaticFilesStorage fails
// in collectstatic when it cannot find the referenced .map file.

import { cpSync, existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, posix, relative, resolve } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const NODE_MODULES = join(ROOT, "node_modules");
const DEST = join(ROOT, "static", "vendor");

// [package, file inside the package, destination under static/vendor/]
const FILES = [
  // Tabler (Bootstrap 5 + Popper bundled into tabler.min.js)
  ["@tabler/core", "dist/css/tabler.min.css", "tabler/css/tabler.min.css"],
  ["@tabler/core", "dist/js/tabler.min.js", "tabler/js/tabler.min.js"],
  ["@tabler/core", "dist/js/tabler-theme.min.js", "tabler/js/tabler-theme.min.js"],
  // Tabler Icons webfont (outline set only)
  ["@tabler/icons-webfont", "dist/tabler-icons.min.css", "tabler-icons/tabler-icons.min.css"],
  ["@tabler/icons-webfont", "dist/fonts/tabler-icons.woff2", "tabler-icons/fonts/tabler-icons.woff2"],
  ["@tabler/icons-webfont", "dist/fonts/tabler-icons.woff", "tabler-icons/fonts/tabler-icons.woff"],
  ["@tabler/icons-webfont", "dist/fonts/tabler-icons.ttf", "tabler-icons/fonts/tabler-icons.ttf"],
  ["@tabler/icons-webfont", "LICENSE", "tabler-icons/LICENSE"],
  // htmx 2.x
  ["htmx.org", "dist/htmx.min.js", "htmx/htmx.min.js"],
  ["htmx.org", "LICENSE", "htmx/LICENSE"],
  // Apache ECharts (full build; includes the zh locale)
  ["echarts", "dist/echarts.min.js", "echarts/echarts.min.js"],
  ["echarts", "LICENSE", "echarts/LICENSE"],
  // Tom Select
  ["tom-select", "dist/js/tom-select.complete.min.js", "tom-select/tom-select.complete.min.js"],
  ["tom-select", "dist/css/tom-select.bootstrap5.min.css", "tom-select/tom-select.bootstrap5.min.css"],
  ["tom-select", "LICENSE", "tom-select/LICENSE"],
];

const SOURCE_MAP = /^[ \t]*(\/\/[#@] sourceMappingURL=\S+|\/\*[#@] sourceMappingURL=\S+ \*\/)[ \t]*$/gm;
const CSS_URL = /url\(\s*(['"]?)(.*?)\1\s*\)/g;
const CSS_IMPORT = /@import\s+(?:url\()?\s*['"]?([^'")\s;]+)/g;
const EXTERNAL = /^(?:[a-z][a-z0-9+.-]*:)?\/\//i; // http://, https://, //host, ftp://...

let started = false; // once copying has begun, a failure removes the half-written tree

function fail(message) {
  if (started) rmSync(DEST, { recursive: true, force: true });
  console.error(`vendor: ${message}`);
  process.exit(1);
}

function version(pkg) {
  return JSON.parse(readFileSync(join(NODE_MODULES, pkg, "package.json"), "utf8")).version;
}

function stripComments(css) {
  return css.replace(/\/\*[\s\S]*?\*\//g, "");
}

function checkCss(destRel, css) {
  const problems = [];
  const body = stripComments(css);
  for (const [, , raw] of body.matchAll(CSS_URL)) {
    const url = raw.trim();
    if (url.startsWith("data:") || url.startsWith("#") || url === "") continue;
    if (EXTERNAL.test(url)) {
      problems.push(`external url(${url})`);
      continue;
    }
    if (url.startsWith("/")) {
      problems.push(`absolute url(${url}) (breaks under a different STATIC_URL)`);
      continue;
    }
    const target = posix.join(posix.dirname(destRel), url.split(/[?#]/)[0]);
    if (!existsSync(join(DEST, target))) problems.push(`url(${url}) -> ${target} was not copied`);
  }
  for (const [, url] of body.matchAll(CSS_IMPORT)) {
    problems.push(`@import ${url}`);
  }
  return problems;
}

if (!existsSync(NODE_MODULES)) fail("node_modules/ is missing: run `npm ci` first");

rmSync(DEST, { recursive: true, force: true });
started = true;
const versions = {};
for (const [pkg, src, dest] of FILES) {
  const from = join(NODE_MODULES, pkg, src);
  const to = join(DEST, dest);
  if (!existsSync(from)) fail(`${pkg}/${src} not found (package layout changed?)`);
  versions[pkg] ??= version(pkg);
  mkdirSync(dirname(to), { recursive: true });
  if (/\.(css|js)$/.test(dest)) {
    writeFileSync(to, readFileSync(from, "utf8").replace(SOURCE_MAP, ""));
  } else {
    cpSync(from, to);
  }
}

// Check after copying everything, so that url() targets can be resolved.
const problems = [];
for (const [, , dest] of FILES) {
  if (!dest.endsWith(".css")) continue;
  for (const p of checkCss(dest, readFileSync(join(DEST, dest), "utf8"))) problems.push(`${dest}: ${p}`);
}
if (problems.length) {
  fail(`stylesheets must not load anything from outside static/vendor/:\n  ${problems.join("\n  ")}`);
}

for (const [pkg, v] of Object.entries(versions)) console.log(`vendor: ${pkg}@${v}`);
console.log(`vendor: ${FILES.length} files -> ${relative(ROOT, DEST)}/`);
