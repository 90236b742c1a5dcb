// The dataflow graph of the dashboard: nodes in layers from sources to
// sinks (left to right), one edge per input with its rate and its drops.
// The layout is computed again only when the graph's shape changes; each
// snapshot just updates labels and colours.

const SVG = "http://www.w3.org/2000/svg";
const NODE_W = 168;
const NODE_H = 46;
const GAP_X = 150;
const GAP_Y = 40;
const PAD = 16;

/** The graph a snapshot describes: nodes (with timers as sources) and edges. */
export function graphOf(snapshot) {
  const nodes = new Map();
  for (const n of snapshot.nodes) {
    nodes.set(n.node_id, {
      id: n.node_id,
      label: n.node_id,
      status: n.metrics.status,
      kind: "node",
    });
  }
  const edges = [];
  for (const n of snapshot.nodes) {
    for (const input of n.inputs) {
      const timer = /^dora\/timer\/(millis|secs|micros|nanos)\/(\d+)$/.exec(
        input.source,
      );
      let from;
      let output = "";
      if (timer) {
        from = `dora/timer/${timer[1]}/${timer[2]}`;
        if (!nodes.has(from)) {
          const unit = { millis: "ms", secs: "s", micros: "µs", nanos: "ns" }[
            timer[1]
          ];
          nodes.set(from, {
            id: from,
            label: `timer ${timer[2]} ${unit}`,
            status: "timer",
            kind: "timer",
          });
        }
      } else {
        const slash = input.source.indexOf("/");
        from = slash > 0 ? input.source.slice(0, slash) : input.source;
        output = slash > 0 ? input.source.slice(slash + 1) : "";
        if (!nodes.has(from)) {
          nodes.set(from, {
            id: from,
            label: from,
            status: "unknown",
            kind: "node",
          });
        }
      }
      edges.push({
        key: `${input.source}->${n.node_id}/${input.id}`,
        from,
        to: n.node_id,
        output,
        input: input.id,
        rate: input.rate,
        dropped: input.dropped,
        queued: input.queued,
      });
    }
  }
  return { nodes: [...nodes.values()], edges };
}

/** Layers (longest path from the sources, cycles broken) and order in each. */
export function layout(nodes, edges) {
  const ids = nodes.map((n) => n.id);
  const out = new Map(ids.map((id) => [id, []]));
  for (const e of edges) {
    if (e.from !== e.to && out.has(e.from) && out.has(e.to)) {
      out.get(e.from).push(e.to);
    }
  }
  // Depth-first search marks the edges that close a cycle.
  const back = new Set();
  const state = new Map();
  const visit = (id) => {
    state.set(id, 1);
    for (const to of out.get(id)) {
      if (state.get(to) === 1) back.add(`${id}\u0000${to}`);
      else if (!state.has(to)) visit(to);
    }
    state.set(id, 2);
  };
  for (const id of ids) if (!state.has(id)) visit(id);
  const rank = new Map(ids.map((id) => [id, 0]));
  // Longest path over the acyclic rest (a node count of passes suffices).
  for (let pass = 0; pass < ids.length; pass++) {
    let moved = false;
    for (const [from, tos] of out) {
      for (const to of tos) {
        if (back.has(`${from}\u0000${to}`)) continue;
        if (rank.get(to) < rank.get(from) + 1) {
          rank.set(to, rank.get(from) + 1);
          moved = true;
        }
      }
    }
    if (!moved) break;
  }
  // A source (a timer) sits just before the first node it feeds, so its
  // edges never cross a layer.
  const hasPred = new Set();
  for (const [from, tos] of out) {
    for (const to of tos) {
      if (!back.has(`${from}\u0000${to}`)) hasPred.add(to);
    }
  }
  for (const id of ids) {
    const tos = out.get(id);
    if (hasPred.has(id) || tos.length === 0) continue;
    rank.set(id, Math.max(0, Math.min(...tos.map((t) => rank.get(t))) - 1));
  }
  const layers = [];
  for (const id of ids) {
    const r = rank.get(id);
    (layers[r] ??= []).push(id);
  }
  // Barycentre ordering, a few sweeps each way.
  const preds = new Map(ids.map((id) => [id, []]));
  for (const [from, tos] of out) for (const to of tos) preds.get(to).push(from);
  const pos = new Map();
  const index = () =>
    layers.forEach((l) => l.forEach((id, i) => pos.set(id, i)));
  index();
  for (let sweep = 0; sweep < 4; sweep++) {
    for (let r = 1; r < layers.length; r++) {
      const bary = (id) => {
        const ps = preds.get(id).filter((p) => rank.get(p) < r);
        return ps.length
          ? ps.reduce((s, p) => s + pos.get(p), 0) / ps.length
          : pos.get(id);
      };
      layers[r].sort((a, b) => bary(a) - bary(b));
      index();
    }
  }
  const tallest = Math.max(1, ...layers.map((l) => l.length));
  const height = tallest * (NODE_H + GAP_Y) - GAP_Y + 2 * PAD;
  const coords = new Map();
  layers.forEach((layer, r) => {
    const span = layer.length * (NODE_H + GAP_Y) - GAP_Y;
    const top = (height - span) / 2;
    layer.forEach((id, i) => {
      coords.set(id, {
        x: PAD + r * (NODE_W + GAP_X),
        y: top + i * (NODE_H + GAP_Y),
      });
    });
  });
  const width = layers.length * (NODE_W + GAP_X) - GAP_X + 2 * PAD;
  return { coords, width, height, back };
}

function el(name, attrs = {}, parent) {
  const e = document.createElementNS(SVG, name);
  for (const [k, v] of Object.entries(attrs)) e.setAttribute(k, String(v));
  if (parent) parent.appendChild(e);
  return e;
}

function rateText(rate) {
  if (!rate) return "0/s";
  return rate >= 100 ? `${Math.round(rate)}/s` : `${rate.toFixed(1)}/s`;
}

/** Draws and updates the graph in one container. */
export class GraphView {
  constructor(container) {
    this.container = container;
    this.shape = "";
    this.nodeEls = new Map();
    this.edgeEls = new Map();
  }

  /** Shows `snapshot` (a new layout only when nodes or edges changed). */
  update(snapshot) {
    const g = graphOf(snapshot);
    const shape = JSON.stringify([
      g.nodes.map((n) => n.id),
      g.edges.map((e) => e.key),
    ]);
    if (shape !== this.shape) {
      this.shape = shape;
      this.draw(g);
    }
    for (const n of g.nodes) {
      const e = this.nodeEls.get(n.id);
      if (!e) continue;
      e.group.setAttribute(
        "class",
        `node ${n.kind === "timer" ? "timer" : n.status}`,
      );
      e.sub.textContent = n.kind === "timer" ? "" : n.status;
    }
    for (const edge of g.edges) {
      const e = this.edgeEls.get(edge.key);
      if (!e) continue;
      e.rate.textContent = rateText(edge.rate);
      e.drops.textContent = edge.dropped > 0 ? `${edge.dropped} dropped` : "";
      e.group.setAttribute(
        "class",
        `edge${edge.rate > 0 ? " live" : ""}${
          edge.dropped > 0 ? " dropping" : ""
        }`,
      );
      e.group.dataset.rate = String(edge.rate);
      e.group.dataset.dropped = String(edge.dropped);
    }
  }

  draw(g) {
    const { coords, width, height } = layout(g.nodes, g.edges);
    this.container.textContent = "";
    this.nodeEls.clear();
    this.edgeEls.clear();
    const svg = el("svg", {
      width,
      height,
      viewBox: `0 0 ${width} ${height}`,
      role: "img",
      "aria-label": "dataflow graph",
    });
    const defs = el("defs", {}, svg);
    const marker = el("marker", {
      id: "arrow",
      viewBox: "0 0 10 10",
      refX: 10,
      refY: 5,
      markerWidth: 7,
      markerHeight: 7,
      orient: "auto-start-reverse",
    }, defs);
    el("path", { d: "M 0 0 L 10 5 L 0 10 z", fill: "#64748b" }, marker);
    // Edges between the same two nodes fan out around the straight line.
    const pairs = new Map();
    for (const e of g.edges) {
      const k = `${e.from}\u0000${e.to}`;
      pairs.set(k, (pairs.get(k) ?? 0) + 1);
    }
    const seen = new Map();
    // Label boxes placed so far (nodes first): labels go where they fit.
    const placed = [...coords.values()].map((c) => ({
      x: c.x,
      y: c.y,
      w: NODE_W,
      h: NODE_H,
    }));
    this.container.appendChild(svg);
    for (const edge of g.edges) {
      const a = coords.get(edge.from);
      const b = coords.get(edge.to);
      if (!a || !b) continue;
      const k = `${edge.from}\u0000${edge.to}`;
      const nth = seen.get(k) ?? 0;
      seen.set(k, nth + 1);
      const spread = (nth - (pairs.get(k) - 1) / 2) * 44;
      const group = el("g", { class: "edge" }, svg);
      group.dataset.edge = edge.key;
      let d;
      let lx;
      let ly;
      if (b.x > a.x) {
        const x1 = a.x + NODE_W;
        const y1 = a.y + NODE_H / 2;
        const x2 = b.x;
        const y2 = b.y + NODE_H / 2;
        const mx = (x1 + x2) / 2;
        d = `M ${x1} ${y1} C ${mx} ${y1 + spread}, ${mx} ${
          y2 + spread
        }, ${x2} ${y2}`;
        lx = mx;
        ly = (y1 + y2) / 2 + spread;
      } else {
        // A loop back (or to a node of the same layer): around below.
        const x1 = a.x + NODE_W / 2;
        const y1 = a.y + NODE_H;
        const x2 = b.x + NODE_W / 2;
        const y2 = b.y + NODE_H;
        const dip = Math.max(y1, y2) + 40 + Math.abs(spread);
        d = `M ${x1} ${y1} C ${x1} ${dip}, ${x2} ${dip}, ${x2} ${y2}`;
        lx = (x1 + x2) / 2;
        ly = dip - 10;
      }
      const path = el("path", { d, "marker-end": "url(#arrow)" }, group);
      const name = edge.output ? `${edge.output} → ${edge.input}` : edge.input;
      const spot = this.labelSpot(path, name, lx, ly, placed);
      const label = el("text", {
        x: spot.x,
        y: spot.y - 4,
        "text-anchor": "middle",
        class: "name",
      }, group);
      label.textContent = name;
      const rate = el("text", {
        x: spot.x,
        y: spot.y + 9,
        "text-anchor": "middle",
        class: "rate",
      }, group);
      const drops = el("text", {
        x: spot.x,
        y: spot.y + 21,
        "text-anchor": "middle",
        class: "drops",
      }, group);
      this.edgeEls.set(edge.key, { group, rate, drops });
    }
    for (const n of g.nodes) {
      const c = coords.get(n.id);
      const group = el("g", {
        class: `node ${n.status}`,
        transform: `translate(${c.x} ${c.y})`,
      }, svg);
      group.dataset.node = n.id;
      el("rect", { width: NODE_W, height: NODE_H, rx: 6 }, group);
      const name = el("text", { x: 10, y: 19 }, group);
      name.textContent = n.label.length > 22
        ? `${n.label.slice(0, 21)}…`
        : n.label;
      const title = el("title", {}, group);
      title.textContent = n.label;
      const sub = el("text", { x: 10, y: 36, class: "sub" }, group);
      this.nodeEls.set(n.id, { group, sub });
    }
  }

  /**
   * Where an edge's label goes: the first point along its path (middle
   * first) whose box overlaps no node and no label placed before.
   */
  labelSpot(path, name, lx, ly, placed) {
    const w = Math.max(name.length * 6.5, 60);
    const h = 36;
    let total = 0;
    try {
      total = path.getTotalLength();
    } catch {
      total = 0;
    }
    const overlaps = (x, y) =>
      placed.some((b) =>
        x - w / 2 < b.x + b.w && x + w / 2 > b.x && y - 14 < b.y + b.h &&
        y - 14 + h > b.y
      );
    const tries = total > 0 ? [0.5, 0.38, 0.62, 0.28, 0.72, 0.2, 0.8] : [];
    let best = { x: lx, y: ly };
    for (const t of tries) {
      const p = path.getPointAtLength(total * t);
      if (!overlaps(p.x, p.y)) {
        best = { x: p.x, y: p.y };
        break;
      }
      if (t === 0.5) best = { x: p.x, y: p.y };
    }
    placed.push({ x: best.x - w / 2, y: best.y - 14, w, h });
    return best;
  }
}
