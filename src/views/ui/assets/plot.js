// The live plot of the topic panel: the numbers of the chosen output over
// the last 30 seconds, one line per series, drawn on a canvas.

const COLORS = [
  "#2563eb",
  "#dc2626",
  "#16a34a",
  "#9333ea",
  "#ea580c",
  "#0891b2",
  "#ca8a04",
  "#db2777",
];
const WINDOW_MS = 30_000;
const MAX_POINTS = 4000;

export class Plot {
  constructor(canvas, legend) {
    this.canvas = canvas;
    this.legend = legend;
    this.points = [];
    this.series = [];
    this.pending = false;
  }

  clear() {
    this.points = [];
    this.series = [];
    this.legend.textContent = "";
    this.schedule();
  }

  add(points) {
    for (const p of points) {
      this.points.push(p);
      for (const name of Object.keys(p.v)) {
        if (!this.series.includes(name)) {
          this.series.push(name);
          const span = document.createElement("span");
          span.style.setProperty(
            "--c",
            COLORS[(this.series.length - 1) % COLORS.length],
          );
          span.textContent = name;
          this.legend.appendChild(span);
        }
      }
    }
    if (this.points.length > MAX_POINTS) {
      this.points.splice(0, this.points.length - MAX_POINTS);
    }
    this.schedule();
  }

  schedule() {
    if (this.pending) return;
    this.pending = true;
    requestAnimationFrame(() => {
      this.pending = false;
      this.draw();
    });
  }

  draw() {
    const c = this.canvas;
    const ratio = globalThis.devicePixelRatio || 1;
    const w = c.clientWidth || 600;
    const h = c.clientHeight || 180;
    if (c.width !== Math.round(w * ratio)) c.width = Math.round(w * ratio);
    if (c.height !== Math.round(h * ratio)) c.height = Math.round(h * ratio);
    const ctx = c.getContext("2d");
    ctx.setTransform(ratio, 0, 0, ratio, 0, 0);
    ctx.clearRect(0, 0, w, h);
    const now = this.points.length
      ? this.points[this.points.length - 1].t
      : Date.now();
    const from = now - WINDOW_MS;
    const shown = this.points.filter((p) => p.t >= from);
    if (shown.length === 0) {
      ctx.fillStyle = "#6b7280";
      ctx.font = "12px system-ui";
      ctx.fillText("no numbers yet", 10, 20);
      return;
    }
    let lo = Infinity;
    let hi = -Infinity;
    for (const p of shown) {
      for (const v of Object.values(p.v)) {
        if (v < lo) lo = v;
        if (v > hi) hi = v;
      }
    }
    if (lo === hi) {
      lo -= 1;
      hi += 1;
    }
    const left = 48;
    const right = w - 8;
    const top = 8;
    const bottom = h - 18;
    const x = (t) => left + ((t - from) / WINDOW_MS) * (right - left);
    const y = (v) => bottom - ((v - lo) / (hi - lo)) * (bottom - top);
    ctx.strokeStyle = "#e5e7eb";
    ctx.fillStyle = "#6b7280";
    ctx.font = "11px system-ui";
    ctx.lineWidth = 1;
    for (let i = 0; i <= 4; i++) {
      const v = lo + ((hi - lo) * i) / 4;
      const yy = y(v);
      ctx.beginPath();
      ctx.moveTo(left, yy);
      ctx.lineTo(right, yy);
      ctx.stroke();
      ctx.fillText(Number(v.toPrecision(4)).toString(), 4, yy + 4);
    }
    ctx.fillText("-30 s", left, h - 4);
    ctx.fillText("now", right - 20, h - 4);
    this.series.forEach((name, i) => {
      ctx.strokeStyle = COLORS[i % COLORS.length];
      ctx.lineWidth = 1.5;
      ctx.beginPath();
      let started = false;
      for (const p of shown) {
        const v = p.v[name];
        if (v === undefined) continue;
        if (started) ctx.lineTo(x(p.t), y(v));
        else {
          ctx.moveTo(x(p.t), y(v));
          started = true;
        }
      }
      ctx.stroke();
    });
  }
}
