// The page at /ui: plain files beside this one, read once when first asked for and served from
// memory after that. No build step: what is here is what the browser runs.
import { readFileSync } from "node:fs";

export interface PageFile {
  contentType: string;
  body: Buffer;
}

const FILES: Readonly<Record<string, { name: string; contentType: string }>> = {
  "/ui": { name: "index.html", contentType: "text/html; charset=utf-8" },
  "/ui/": { name: "index.html", contentType: "text/html; charset=utf-8" },
  "/ui/app.js": { name: "app.js", contentType: "text/javascript; charset=utf-8" },
  "/ui/style.css": { name: "style.css", contentType: "text/css; charset=utf-8" },
};

const loaded = new Map<string, PageFile>();

export function pageFile(path: string): PageFile | undefined {
  const file = Object.hasOwn(FILES, path) ? FILES[path] : undefined;
  if (!file) return undefined;
  let page = loaded.get(file.name);
  if (!page) {
    page = { contentType: file.contentType, body: readFileSync(new URL(`./page/${file.name}`, import.meta.url)) };
    loaded.set(file.name, page);
  }
  return page;
}
