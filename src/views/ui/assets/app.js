// The dashboard: one WebSocket to `dora ui` (reconnecting), the dataflow
// chooser, and the four panels (graph, nodes, topic, logs).
import { GraphView } from "./graph.js";
import { NodeTable } from "./table.js";
import { Plot } from "./plot.js";

const $ = (id) => document.getElementById(id);
const MAX_LOG_LINES = 2000;
const SEVERITY = { error: 1, warn: 2, info: 3, debug: 4, trace: 5, stdout: 6 };

const state = {
  ws: null,
  dataflows: [],
  watching: null,
  wanted: new URLSearchParams(location.search).get("dataflow"),
  topic: "",
  topics: [],
  logs: [],
  nodes: [],
  retry: 500,
};

const graph = new GraphView($("graph"));
const table = new NodeTable($("nodes"));
const plot = new Plot($("plot").querySelector("canvas"), $("plot-legend"));

function send(msg) {
  if (state.ws && state.ws.readyState === WebSocket.OPEN) {
    state.ws.send(JSON.stringify(msg));
  }
}

function note(text) {
  const box = $("notes");
  const p = document.createElement("p");
  p.className = "note";
  p.textContent = text;
  box.prepend(p);
  while (box.children.length > 4) box.lastChild.remove();
}

function banner(text, failed) {
  const b = $("banner");
  b.hidden = !text;
  b.textContent = text ?? "";
  b.classList.toggle("failed", Boolean(failed));
}

function label(d) {
  return `${
    d.name ? `${d.name} (${d.uuid.slice(0, 8)}…)` : d.uuid
  }  [${d.where}]`;
}

function showDataflows(list) {
  state.dataflows = list;
  const select = $("dataflow-select");
  const keep = state.watching;
  select.textContent = "";
  if (list.length === 0) {
    const o = document.createElement("option");
    o.value = "";
    o.textContent = "(none running)";
    select.appendChild(o);
  }
  if (keep && !list.some((d) => d.uuid === keep)) {
    // The one shown ended: keep it in the list until another is chosen.
    const o = document.createElement("option");
    o.value = keep;
    o.textContent = `${keep} (ended)`;
    select.appendChild(o);
  }
  for (const d of list) {
    const o = document.createElement("option");
    o.value = d.uuid;
    o.textContent = label(d);
    select.appendChild(o);
  }
  select.value = keep ?? "";
  if (!keep && list.length > 0) {
    const wanted = state.wanted &&
      list.find((d) =>
        d.uuid === state.wanted || d.name === state.wanted ||
        d.uuid.startsWith(state.wanted)
      );
    if (wanted) watch(wanted.uuid);
    else if (list.length === 1) watch(list[0].uuid);
  }
}

function watch(uuid) {
  if (!uuid || uuid === state.watching) return;
  state.watching = uuid;
  state.topic = "";
  state.topics = [];
  $("dataflow-select").value = uuid;
  $("graph").textContent = "";
  graph.shape = "";
  table.update([]);
  plot.clear();
  $("topic-values").textContent = "";
  $("topic-info").textContent = "";
  banner("");
  setBadge("running", "running");
  send({ t: "watch", uuid });
}

function setBadge(text, cls) {
  const b = $("dataflow-state");
  b.textContent = text;
  b.className = `badge ${cls}`;
}

function showSnapshot(s) {
  if (s.uuid !== state.watching) return;
  state.nodes = s.nodes;
  graph.update(s);
  table.update(s.nodes);
  $("updated").textContent = `updated ${clock(s.at).slice(0, 8)}`;
  const failed = s.nodes.filter((n) => n.metrics.status === "failed");
  if (failed.length) {
    setBadge(`${failed.length} failed`, "failed");
  } else if (!$("dataflow-state").classList.contains("ended")) {
    setBadge("running", "running");
  }
  if (s.unreachable.length) {
    note(
      `daemon(s) not answering: ${
        s.unreachable.join(", ")
      } (their nodes are missing)`,
    );
  }
  // Topic chooser.
  const names = s.topics.map((t) => t.topic);
  if (JSON.stringify(names) !== JSON.stringify(state.topics)) {
    state.topics = names;
    const select = $("topic-select");
    select.textContent = "";
    const none = document.createElement("option");
    none.value = "";
    none.textContent = s.debug
      ? "(choose an output)"
      : "(needs debug inspection: start with --debug)";
    select.appendChild(none);
    for (const t of s.topics) {
      const o = document.createElement("option");
      o.value = t.topic;
      o.textContent = t.type ? `${t.topic}  (${t.type})` : t.topic;
      o.disabled = !s.debug;
      select.appendChild(o);
    }
    select.value = state.topic;
  }
  // Log node filter.
  const nodeSelect = $("log-node");
  const have = [...nodeSelect.options].map((o) => o.value).slice(1);
  const ids = s.nodes.map((n) => n.node_id);
  if (JSON.stringify(have) !== JSON.stringify(ids)) {
    const keep = nodeSelect.value;
    nodeSelect.length = 1;
    for (const id of ids) {
      const o = document.createElement("option");
      o.value = id;
      o.textContent = id;
      nodeSelect.appendChild(o);
    }
    nodeSelect.value = ids.includes(keep) ? keep : "";
  }
}

function logPasses(r) {
  const node = $("log-node").value;
  const min = $("log-level").value;
  const grep = $("log-grep").value.toLowerCase();
  if (node && r.node !== node) return false;
  if (min !== "stdout") {
    if (r.level === "stdout") return false;
    if (SEVERITY[r.level] > SEVERITY[min]) return false;
  }
  if (grep && !r.msg.toLowerCase().includes(grep)) return false;
  return true;
}

function logLine(r) {
  const div = document.createElement("div");
  div.className = `line level-${r.level}`;
  const ts = document.createElement("span");
  ts.className = "ts";
  ts.textContent = clock(Date.parse(r.ts)) + " ";
  const node = document.createElement("span");
  node.className = "node";
  node.textContent = r.node + " ";
  const level = r.level === "stdout" ? "" : `${r.level.toUpperCase()} `;
  div.append(ts, node, level + r.msg);
  return div;
}

function renderLogs(fresh) {
  const box = $("logs");
  if (!fresh) box.textContent = "";
  const list = fresh ?? state.logs;
  const frag = document.createDocumentFragment();
  for (const r of list) if (logPasses(r)) frag.appendChild(logLine(r));
  box.appendChild(frag);
  while (box.childElementCount > MAX_LOG_LINES) box.firstChild.remove();
  $("log-count").textContent = `${state.logs.length} line(s)`;
  if ($("log-follow").checked) box.scrollTop = box.scrollHeight;
}

function showLogs(m) {
  if (m.reset) {
    state.logs = [];
    $("logs").textContent = "";
  }
  if (m.skipped) {
    note(
      `${m.skipped} log line(s) skipped: more than the page can show (see \`dora logs\`)`,
    );
  }
  if (!m.records.length) return;
  state.logs.push(...m.records);
  if (state.logs.length > MAX_LOG_LINES) {
    state.logs.splice(0, state.logs.length - MAX_LOG_LINES);
  }
  renderLogs(m.records);
}

function showTopic(m) {
  if (m.topic !== state.topic) return;
  plot.add(m.points);
  const list = $("topic-values");
  for (const msg of m.messages) {
    const li = document.createElement("li");
    const meta = document.createElement("span");
    meta.className = "meta";
    meta.textContent = `${
      clock(Number(BigInt(msg.ts) / 1000000n))
    }  ${msg.type}[${msg.len}]  `;
    li.append(meta, msg.text);
    list.prepend(li);
  }
  while (list.children.length > 50) list.lastChild.remove();
  const info = $("topic-info");
  if (m.messages.length) {
    const last = m.messages[m.messages.length - 1];
    info.textContent = `${last.type}, ${last.size} bytes${
      last.complete ? "" : " (cut: shown in part)"
    }`;
  }
  if (m.lost) info.textContent += `, ${m.lost} copies lost`;
}

/** `18:31:20.711` in local time. */
function clock(ms) {
  const t = new Date(ms);
  const two = (n) => String(n).padStart(2, "0");
  return `${two(t.getHours())}:${two(t.getMinutes())}:${two(t.getSeconds())}.${
    String(t.getMilliseconds()).padStart(3, "0")
  }`;
}

function connect() {
  const ws = new WebSocket(
    `${location.protocol === "https:" ? "wss" : "ws"}://${location.host}/ws`,
  );
  state.ws = ws;
  ws.onopen = () => {
    state.retry = 500;
    const link = $("link");
    link.textContent = "live";
    link.className = "badge online";
  };
  ws.onmessage = (e) => {
    const m = JSON.parse(e.data);
    switch (m.t) {
      case "hello":
        if (m.select && !state.wanted) state.wanted = m.select;
        if (state.watching) {
          // Reconnected: watch again.
          const uuid = state.watching;
          state.watching = null;
          showDataflows(m.dataflows);
          watch(uuid);
        } else showDataflows(m.dataflows);
        break;
      case "dataflows":
        showDataflows(m.dataflows);
        break;
      case "snapshot":
        showSnapshot(m.s);
        break;
      case "logs":
        showLogs(m);
        break;
      case "topic":
        showTopic(m);
        break;
      case "ended":
        if (m.uuid === state.watching) {
          const failed = /fail/.test(m.reason);
          setBadge(`ended: ${m.reason}`, failed ? "failed ended" : "ended");
          banner(`dataflow ended (${m.reason})`, failed);
        }
        break;
      case "note":
        note(m.text);
        break;
      case "error":
        note(`error: ${m.text}`);
        break;
    }
  };
  ws.onclose = () => {
    const link = $("link");
    link.textContent = "offline, reconnecting…";
    link.className = "badge muted";
    setTimeout(connect, state.retry);
    state.retry = Math.min(state.retry * 2, 5000);
  };
}

$("dataflow-select").addEventListener("change", (e) => watch(e.target.value));
$("topic-select").addEventListener("change", (e) => {
  state.topic = e.target.value;
  plot.clear();
  $("topic-values").textContent = "";
  $("topic-info").textContent = state.topic ? "waiting for messages…" : "";
  send({ t: "topic", topic: state.topic || null });
});
for (const id of ["log-node", "log-level", "log-grep"]) {
  $(id).addEventListener("input", () => renderLogs());
}
$("log-follow").addEventListener("change", () => renderLogs());

connect();
