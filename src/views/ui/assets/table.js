// The node table of the dashboard: the columns of `dora top`, sortable by
// clicking a header (again: the other direction).

function bytes(n) {
  if (n === null || n === undefined) return "";
  const units = ["B", "KB", "MB", "GB", "TB"];
  let v = n;
  let u = 0;
  while (v >= 1024 && u < units.length - 1) {
    v /= 1024;
    u++;
  }
  return u === 0 ? `${v} B` : `${v.toFixed(1)} ${units[u]}`;
}

function fixed(n, digits) {
  return n === null || n === undefined ? "" : n.toFixed(digits);
}

const STATUS_LABEL = (s) => s.charAt(0).toUpperCase() + s.slice(1);

/** Columns: header, value for sorting, text, class. */
export const COLUMNS = [
  {
    key: "node",
    title: "NODE",
    value: (n) => n.node_id,
    text: (n) => n.node_id,
  },
  {
    key: "status",
    title: "STATUS",
    value: (n) => n.metrics.status,
    text: (n) => STATUS_LABEL(n.metrics.status),
    cls: (n) => `status ${n.metrics.status}`,
  },
  {
    key: "pid",
    title: "PID",
    value: (n) => n.metrics.pid ?? -1,
    text: (n) => n.metrics.pid ?? "",
    num: true,
  },
  {
    key: "cpu",
    title: "CPU%",
    value: (n) => n.metrics.cpu_usage ?? -1,
    text: (n) => fixed(n.metrics.cpu_usage, 1),
    num: true,
  },
  {
    key: "memory",
    title: "MEMORY (MB)",
    value: (n) => n.metrics.memory_mb ?? -1,
    text: (n) => fixed(n.metrics.memory_mb, 1),
    num: true,
  },
  {
    key: "restarts",
    title: "RESTARTS",
    value: (n) => n.metrics.restart_count,
    text: (n) => n.metrics.restart_count,
    num: true,
  },
  {
    key: "queue",
    title: "QUEUE",
    value: (n) => n.metrics.pending_messages,
    text: (n) => n.metrics.pending_messages,
    num: true,
  },
  {
    key: "dropped",
    title: "DROPPED",
    value: (n) => n.metrics.dropped_messages,
    text: (n) => n.metrics.dropped_messages,
    num: true,
    cls: (n) => (n.metrics.dropped_messages > 0 ? "drops" : ""),
  },
  {
    key: "tx",
    title: "NET TX",
    value: (n) => n.network.bytes_sent,
    text: (n) => bytes(n.network.bytes_sent),
    num: true,
  },
  {
    key: "rx",
    title: "NET RX",
    value: (n) => n.network.bytes_received,
    text: (n) => bytes(n.network.bytes_received),
    num: true,
  },
  {
    key: "read",
    title: "I/O READ (MB/s)",
    value: (n) => n.metrics.disk_read_mb_s ?? -1,
    text: (n) => fixed(n.metrics.disk_read_mb_s, 2),
    num: true,
  },
  {
    key: "write",
    title: "I/O WRITE (MB/s)",
    value: (n) => n.metrics.disk_write_mb_s ?? -1,
    text: (n) => fixed(n.metrics.disk_write_mb_s, 2),
    num: true,
  },
];

/** The node table in a `<table>` with an empty `<thead><tr>` and `<tbody>`. */
export class NodeTable {
  constructor(table) {
    this.table = table;
    this.sortKey = null;
    this.ascending = true;
    this.nodes = [];
    const row = table.querySelector("thead tr");
    for (const c of COLUMNS) {
      const th = document.createElement("th");
      th.textContent = c.title;
      th.dataset.key = c.key;
      th.addEventListener("click", () => this.sortBy(c.key));
      row.appendChild(th);
    }
  }

  sortBy(key) {
    if (this.sortKey === key) this.ascending = !this.ascending;
    else {
      this.sortKey = key;
      // Names and states read best ascending, numbers largest first.
      this.ascending = key === "node" || key === "status";
    }
    for (const th of this.table.querySelectorAll("th")) {
      th.classList.toggle("sorted", th.dataset.key === this.sortKey);
      th.classList.toggle(
        "asc",
        th.dataset.key === this.sortKey && this.ascending,
      );
    }
    this.render();
  }

  update(nodes) {
    this.nodes = nodes;
    this.render();
  }

  render() {
    const rows = [...this.nodes];
    const col = COLUMNS.find((c) => c.key === this.sortKey);
    if (col) {
      rows.sort((a, b) => {
        const x = col.value(a);
        const y = col.value(b);
        const cmp = typeof x === "string" ? x.localeCompare(y) : x - y;
        return this.ascending ? cmp : -cmp;
      });
    }
    const body = this.table.querySelector("tbody");
    body.textContent = "";
    for (const n of rows) {
      const tr = document.createElement("tr");
      tr.dataset.node = n.node_id;
      for (const c of COLUMNS) {
        const td = document.createElement("td");
        td.textContent = String(c.text(n));
        const cls = [c.num ? "num" : "", c.cls ? c.cls(n) : "", c.key]
          .filter(Boolean).join(" ");
        td.className = cls;
        tr.appendChild(td);
      }
      body.appendChild(tr);
    }
  }
}
