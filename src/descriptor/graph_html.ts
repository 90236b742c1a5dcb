/**
 * The standalone HTML page of `dora graph`: the Mermaid text plus mermaid.js
 * inlined, so the page renders with no network.
 *
 * @module
 */

/**
 * Builds the page. `mermaidJs` is the text of `mermaid.min.js`; any
 * `</script` inside it is escaped so it cannot end the script element.
 */
export function graphHtml(
  title: string,
  mermaidText: string,
  mermaidJs: string,
): string {
  const escapeHtml = (s: string) =>
    s.replaceAll("&", "&amp;").replaceAll("<", "&lt;").replaceAll(">", "&gt;");
  const script = mermaidJs.replace(/<\/script/gi, "<\\/script");
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<title>${escapeHtml(title)}</title>
<style>body { font-family: sans-serif; margin: 1rem; }</style>
</head>
<body>
<pre class="mermaid">
${escapeHtml(mermaidText)}</pre>
<script>${script}</script>
<script>mermaid.initialize({ startOnLoad: true, securityLevel: "loose", theme: "base" });</script>
</body>
</html>
`;
}
