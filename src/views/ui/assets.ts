/**
 * The dashboard page's files, shipped inside dora (imported as text, so
 * they travel in the bundle too): no CDN, no build step, nothing fetched
 * when the page opens.
 *
 * @module
 */
import indexHtml from "./assets/index.html" with { type: "text" };
import loginHtml from "./assets/login.html" with { type: "text" };
import styleCss from "./assets/style.css" with { type: "text" };
import appJs from "./assets/app.js" with { type: "text" };
import graphJs from "./assets/graph.js" with { type: "text" };
import plotJs from "./assets/plot.js" with { type: "text" };
import tableJs from "./assets/table.js" with { type: "text" };

/** A file of the page. */
export interface Asset {
  type: string;
  body: string;
}

const JS = "text/javascript; charset=utf-8";

/** The page's files by URL path. */
export const ASSETS: Record<string, Asset> = {
  "/": { type: "text/html; charset=utf-8", body: indexHtml },
  "/style.css": { type: "text/css; charset=utf-8", body: styleCss },
  "/app.js": { type: JS, body: appJs },
  "/graph.js": { type: JS, body: graphJs },
  "/plot.js": { type: JS, body: plotJs },
  "/table.js": { type: JS, body: tableJs },
};

/** The page that asks for the token (a dashboard off loopback). */
export const LOGIN_PAGE: Asset = {
  type: "text/html; charset=utf-8",
  body: loginHtml,
};
