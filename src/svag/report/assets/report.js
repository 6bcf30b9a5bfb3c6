"use strict";
// svag report: every number below is read from the embedded data (svag eval's own numbers);
// this script only sorts, filters and draws. The query list is virtualised: only the rows in view
// exist in the DOM.
(function () {
  const T0 = performance.now();
  const D = JSON.parse(document.getElementById("svag-data").textContent);
  const Q = D.queries;
  const SUBS = D.meta.preds;
  const GT_COLOR = "#1a9850";
  const COLORS = ["#2166ac", "#d6604d", "#762a83", "#b8860b", "#01665e", "#c51b7d"];
  const ROW_H = 24;
  const SVGNS = "http://www.w3.org/2000/svg";
  let thumbs = null;   // parsed on first use
  const S = { protocol: "svag", sub: 0, sortKey: "HOTA", sortDir: 1, text: "", dataset: "", only: "",
              group: null, selected: null, view: [] };

  // ---------------------------------------------------------------- helpers
  const $ = (id) => document.getElementById(id);
  function el(tag, attrs, text) {
    const e = document.createElement(tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function sv(tag, attrs, text) {
    const e = document.createElementNS(SVGNS, tag);
    if (attrs) for (const k in attrs) e.setAttribute(k, attrs[k]);
    if (text !== undefined && text !== null) e.textContent = text;
    return e;
  }
  function fmt(v, d) {
    if (v === null || v === undefined || Number.isNaN(v)) return "—";
    if (Number.isInteger(v) && Math.abs(v) >= 1000) return String(v);
    return v.toFixed(d === undefined ? 2 : d);
  }
  const color = (k) => COLORS[k % COLORS.length];
  const P = (q, k) => q.p[k === undefined ? S.sub : k];
  const R = (q, k) => P(q, k)[S.protocol];
  function unpaired(q, k) { return R(q, k).pairs.filter((p) => p === null).length; }

  // values a column sorts and shows
  const COLS = [
    { key: "d", label: "dataset", w: "62px", get: (q) => q.d },
    { key: "v", label: "video", w: "80px", get: (q) => q.v },
    { key: "q", label: "id", w: "48px", get: (q) => q.q, num: false },
    { key: "t", label: "query", w: "1fr", get: (q) => q.t },
    { key: "g", label: "GT", w: "30px", get: (q) => q.g.length, num: true, f: (v) => String(v) },
    { key: "np", label: "pred", w: "46px", get: (q) => P(q).tr.length, num: true, f: (v) => String(v) },
    { key: "HOTA", label: "HOTA", w: "60px", get: (q) => P(q).HOTA, num: true, f: (v) => fmt(v, 1) },
    { key: "iou", label: "R1 IoU", w: "64px", get: (q) => R(q).iou, num: true, f: (v) => fmt(v, 3) },
    { key: "unp", label: "unpaired", w: "74px", get: (q) => unpaired(q), num: true,
      f: (v) => (v ? String(v) : ""), cls: (v) => (v ? "bad" : "") },
    { key: "tl", label: "timeline", w: "120px", spark: true },
  ];
  if (SUBS.length > 1) {
    COLS.push({ key: "diff", label: "Δ", w: "42px", get: (q) => diff(q), num: true, f: (v) => fmt(v, 2) });
  }
  function diff(q) {
    // spread over the predictions of HOTA (as a fraction) plus spread of R1 IoU
    let hMin = Infinity, hMax = -Infinity, iMin = Infinity, iMax = -Infinity;
    for (let k = 0; k < q.p.length; k++) {
      const h = (q.p[k].HOTA || 0) / 100, i = q.p[k][S.protocol].iou || 0;
      hMin = Math.min(hMin, h); hMax = Math.max(hMax, h); iMin = Math.min(iMin, i); iMax = Math.max(iMax, i);
    }
    return (hMax - hMin) + (iMax - iMin);
  }

  // ---------------------------------------------------------------- header and summary
  function header() {
    $("title").textContent = D.meta.title;
    $("files").textContent = "ground truth: " + D.meta.gt + " · predictions: " +
      SUBS.map((s, k) => "[" + (k + 1) + "] " + s).join(" · ") + " · svag " + D.meta.version;
    const sub = $("sub");
    SUBS.forEach((s, k) => sub.appendChild(el("option", { value: String(k) }, "[" + (k + 1) + "] " + s)));
    if (SUBS.length < 2) $("sub-label").hidden = true;
    const ds = $("filter-dataset");
    [...new Set(Q.map((q) => q.d))].forEach((d) => ds.appendChild(el("option", { value: d }, d)));
  }

  function summary() {
    const box = $("summary-tables");
    box.textContent = "";
    const keys = D.summary.keys;
    for (const proto of Object.keys(D.summary.protocols)) {
      const block = el("div", { class: "proto-block", "data-protocol": proto });
      block.appendChild(el("h3", null, proto === "svag" ? "svag (official numbers, official rounding)" : proto));
      const t = el("table");
      const hr = el("tr");
      hr.appendChild(el("th", null, "prediction / dataset"));
      keys.forEach((k) => hr.appendChild(el("th", null, k)));
      t.appendChild(hr);
      const notes = [];
      for (const s of D.summary.protocols[proto]) {
        for (const name of Object.keys(s.rows)) {
          const tr = el("tr", { class: (name === "mean" ? "mean " : "") + (s.baseline ? "baseline" : ""),
                                "data-pred": s.name, "data-dataset": name });
          tr.appendChild(el("td", null, s.name + " · " + name));
          keys.forEach((k) => {
            const v = s.rows[name][k];
            tr.appendChild(el("td", { "data-key": k, "data-value": v === undefined ? "" : String(v) },
                              k === "queries" || k === "scored_queries" ? fmt(v, 0) : fmt(v, 3)));
          });
          t.appendChild(tr);
        }
        s.notes.forEach((n) => notes.push(s.name + ": " + n));
      }
      block.appendChild(t);
      notes.forEach((n) => block.appendChild(el("div", { class: "notes" }, "note: " + n)));
      box.appendChild(block);
    }
    (D.meta.notes || []).forEach((n) => box.appendChild(el("div", { class: "notes" }, "note: " + n)));
  }

  // ---------------------------------------------------------------- breakdowns
  const GROUPS = [
    { key: "verb", label: "by verb (first predicate of the parsed query)", get: (q) => q.verb },
    { key: "ngt", label: "by number of ground-truth tracks", get: (q) => String(q.g.length) },
    { key: "video", label: "by video", get: (q) => q.d + "/" + q.v },
    { key: "len", label: "by query length", get: (q) => q.len },
  ];
  function breakdowns() {
    const box = $("breakdown-tables");
    box.textContent = "";
    for (const g of GROUPS) {
      const acc = new Map();
      for (const q of Q) {
        const name = g.get(q);
        let a = acc.get(name);
        if (!a) { a = { n: 0, h: 0, iou: 0, scored: 0, unp: 0 }; acc.set(name, a); }
        const r = R(q);
        a.n++; a.h += P(q).HOTA || 0; a.unp += unpaired(q);
        if (r.scored) { a.scored++; a.iou += r.iou || 0; }
      }
      const rows = [...acc.entries()].map(([name, a]) => ({ name, n: a.n, hota: a.h / a.n,
        miou: a.scored ? 100 * a.iou / a.scored : null, scored: 100 * a.scored / a.n, unp: a.unp }));
      rows.sort((x, y) => x.hota - y.hota);
      const div = el("div", { class: "bd", "data-group": g.key });
      div.appendChild(el("h3", null, g.label));
      const t = el("table");
      const hr = el("tr");
      ["group", "queries", "HOTA", "mIoU", "scored %", "unpaired"].forEach((h) => hr.appendChild(el("th", null, h)));
      t.appendChild(hr);
      for (const r of rows) {
        const tr = el("tr", { "data-name": r.name });
        [r.name, String(r.n), fmt(r.hota, 2), fmt(r.miou, 2), fmt(r.scored, 0), String(r.unp)]
          .forEach((v) => tr.appendChild(el("td", null, v)));
        tr.addEventListener("click", () => { S.group = { g, name: r.name }; refresh(); });
        t.appendChild(tr);
      }
      div.appendChild(t);
      box.appendChild(div);
    }
  }

  // ---------------------------------------------------------------- compare
  function compare() {
    if (SUBS.length < 2) return;
    $("compare").hidden = false;
    const box = $("compare-list");
    box.textContent = "";
    const top = Q.slice().sort((a, b) => diff(b) - diff(a)).slice(0, 15);
    const t = el("table");
    const hr = el("tr");
    ["query", "video"].concat(SUBS.map((s, k) => "HOTA [" + (k + 1) + "]"), SUBS.map((s, k) => "IoU [" + (k + 1) + "]"), ["Δ"])
      .forEach((h) => hr.appendChild(el("th", null, h)));
    t.appendChild(hr);
    for (const q of top) {
      const tr = el("tr", { style: "cursor:pointer" });
      tr.appendChild(el("td", { title: q.t }, q.t.length > 70 ? q.t.slice(0, 68) + "…" : q.t));
      tr.appendChild(el("td", null, q.v));
      q.p.forEach((p) => tr.appendChild(el("td", null, fmt(p.HOTA, 1))));
      q.p.forEach((p) => tr.appendChild(el("td", null, fmt(p[S.protocol].iou, 3))));
      tr.appendChild(el("td", null, fmt(diff(q), 2)));
      tr.addEventListener("click", () => select(q));
      t.appendChild(tr);
    }
    box.appendChild(t);
  }

  // ---------------------------------------------------------------- the virtualised list
  function listHead() {
    const head = $("list-head");
    head.textContent = "";
    document.documentElement.style.setProperty("--cols", COLS.map((c) => c.w).join(" "));
    for (const c of COLS) {
      const arrow = S.sortKey === c.key ? (S.sortDir > 0 ? " ▲" : " ▼") : "";
      const s = el("span", { class: c.num ? "num" : "", "data-col": c.key }, c.label + arrow);
      if (!c.spark) s.addEventListener("click", () => {
        if (S.sortKey === c.key) S.sortDir = -S.sortDir; else { S.sortKey = c.key; S.sortDir = c.num ? 1 : 1; }
        refresh();
      });
      head.appendChild(s);
    }
  }

  function matches(q) {
    if (S.dataset && q.d !== S.dataset) return false;
    if (S.group && S.group.g.get(q) !== S.group.name) return false;
    if (S.only === "unscored" && R(q).scored) return false;
    if (S.only === "unpaired" && !unpaired(q)) return false;
    if (S.only === "noentry" && !R(q).notes.some((n) => n.startsWith("no prediction entry"))) return false;
    if (S.text) {
      const t = S.text;
      if (!(q.t.toLowerCase().includes(t) || q.v.toLowerCase().includes(t) || q.q.toLowerCase() === t ||
            q.verb.includes(t))) return false;
    }
    return true;
  }

  function refresh() {
    const col = COLS.find((c) => c.key === S.sortKey);
    const dir = S.sortDir;
    const view = Q.filter(matches);
    const val = view.map((q) => col.get(q));
    const idx = view.map((_, i) => i);
    idx.sort((a, b) => {
      let x = val[a], y = val[b];
      if (x === null || x === undefined) return 1;     // missing values last
      if (y === null || y === undefined) return -1;
      if (typeof x === "number") return dir * (x - y) || a - b;
      return dir * String(x).localeCompare(String(y), undefined, { numeric: true }) || a - b;
    });
    S.view = idx.map((i) => view[i]);
    $("count").textContent = S.view.length + " of " + Q.length + " queries";
    $("count").dataset.shown = String(S.view.length);
    $("count").dataset.total = String(Q.length);
    const chip = $("group-chip");
    chip.textContent = "";
    if (S.group) {
      const c = el("span", { class: "chip" }, S.group.g.key + ": " + S.group.name + " ");
      const b = el("button", { title: "clear" }, "×");
      b.addEventListener("click", () => { S.group = null; refresh(); });
      c.appendChild(b);
      chip.appendChild(c);
    }
    listHead();
    $("list-spacer").style.height = S.view.length * ROW_H + "px";
    rendered.clear();
    drawRows(true);
  }

  const rendered = new Map();
  function drawRows(force) {
    const body = $("list-body");
    const first = Math.max(0, Math.floor(body.scrollTop / ROW_H) - 10);
    const last = Math.min(S.view.length, Math.ceil((body.scrollTop + body.clientHeight) / ROW_H) + 10);
    if (force) { body.querySelectorAll(".row.item").forEach((e) => e.remove()); }
    for (const [i, e] of rendered) if (i < first || i >= last) { e.remove(); rendered.delete(i); }
    for (let i = first; i < last; i++) {
      if (rendered.has(i)) continue;
      const e = rowEl(S.view[i], i);
      body.appendChild(e);
      rendered.set(i, e);
    }
  }

  function rowEl(q, i) {
    const r = el("div", { class: "row item" + (q === S.selected ? " sel" : ""), "data-key": q.k });
    r.style.top = i * ROW_H + "px";
    for (const c of COLS) {
      if (c.spark) { const s = el("span"); s.appendChild(spark(q)); r.appendChild(s); continue; }
      const v = c.get(q);
      const s = el("span", { class: (c.num ? "num " : "") + (c.cls ? c.cls(v) : "") }, c.f ? c.f(v) : v);
      if (c.key === "t") s.title = q.t;
      r.appendChild(s);
    }
    r.addEventListener("click", () => select(q));
    return r;
  }

  function spark(q) {
    // one line for the ground-truth windows, one for the selected prediction's windows
    const W = 116, n = Math.max(1, q.n);
    const s = sv("svg", { width: W, height: 14 });
    const x = (f) => (f - 1) / n * W;
    s.appendChild(sv("rect", { x: 0, y: 2, width: W, height: 10, fill: "#f2f2f2" }));
    for (const g of q.g) for (const w of g[1]) s.appendChild(sv("rect", { x: x(w[0]), y: 2, width: Math.max(1, x(w[1] + 1) - x(w[0])), height: 4, fill: GT_COLOR }));
    for (const t of P(q).tr) for (const w of t[1]) {
      if (w[0] === null || w[1] === null) continue;
      s.appendChild(sv("rect", { x: x(Math.min(w[0], w[1])), y: 8, width: Math.max(1, Math.abs(x(w[1] + 1) - x(w[0]))), height: 4, fill: color(S.sub), "fill-opacity": 0.6 }));
    }
    return s;
  }

  // ---------------------------------------------------------------- detail of one query
  function select(q) {
    S.selected = q;
    for (const [, e] of rendered) e.classList.toggle("sel", e.dataset.key === q.k);
    detail(q);
  }

  function detail(q) {
    const box = $("detail");
    box.textContent = "";
    box.dataset.key = q.k;
    box.appendChild(el("h3", null, q.d + " · " + q.v + " · query " + q.q + " · " + q.n + " frames"));
    box.appendChild(el("p", { class: "text" }, "“" + q.t + "”"));
    box.appendChild(el("div", { class: "notes" }, "verb: " + q.verb + " · " + q.len + " · " + q.g.length + " ground-truth tracks"));
    const t = el("table", { id: "detail-numbers" });
    const hr = el("tr");
    ["prediction", "HOTA", "DetA", "AssA", "R1 IoU (" + S.protocol + ")", "scored"].forEach((h) => hr.appendChild(el("th", null, h)));
    t.appendChild(hr);
    q.p.forEach((p, k) => {
      const tr = el("tr", { "data-sub": String(k) });
      const r = p[S.protocol];
      tr.appendChild(el("td", { style: "color:" + color(k) }, "[" + (k + 1) + "] " + SUBS[k]));
      [["HOTA", p.HOTA, 3], ["DetA", p.DetA, 3], ["AssA", p.AssA, 3], ["iou", r.iou, 4]].forEach(([name, v, d]) =>
        tr.appendChild(el("td", { "data-key": name, "data-value": v === null ? "" : String(v) }, fmt(v, d))));
      tr.appendChild(el("td", { "data-key": "scored" }, r.scored ? "yes" : "no"));
      t.appendChild(tr);
    });
    box.appendChild(t);
    const notes = el("ul");
    q.p.forEach((p, k) => {
      const tag = q.p.length > 1 ? "[" + (k + 1) + "] " : "";
      const r = p[S.protocol];
      r.notes.forEach((n) => notes.appendChild(el("li", null, tag + n)));
      const why = new Map();     // unpaired tracks grouped by the reason
      r.pairs.forEach((pid, j) => { if (pid === null) { const w = r.why[j] || "unpaired"; why.set(w, (why.get(w) || []).concat([q.g[j][0]])); } });
      for (const [w, ids] of why) notes.appendChild(el("li", { class: "why" }, tag + "GT " + ids.join(", ") + " unpaired: " + w));
    });
    if (notes.childNodes.length) box.appendChild(notes);
    box.appendChild(legend());
    box.appendChild(timeline(q, box.clientWidth - 26));
    compared(q, box);
    thumbnails(q, box);
  }

  function legend() {
    const l = el("div", { class: "legend" });
    const add = (c, text, op) => { const s = el("span"); const i = el("i"); i.style.background = c; if (op) i.style.opacity = op; s.appendChild(i); s.appendChild(document.createTextNode(text)); l.appendChild(s); };
    add(GT_COLOR, "ground-truth window");
    add(GT_COLOR, "boxes (thin)", 0.35);
    SUBS.forEach((s, k) => add(color(k), "[" + (k + 1) + "] predicted windows (darker = listed first)"));
    return l;
  }

  function timeline(q, width) {
    const LABEL = 170, LANE = 20, n = Math.max(1, q.n);
    const W = Math.max(420, width);
    const plotW = W - LABEL - 10;
    const x = (f) => LABEL + (f - 1) / n * plotW;
    const lanes = [];
    lanes.push({ sect: "ground truth" });
    q.g.forEach((g, j) => lanes.push({ kind: "gt", j, tr: g }));
    q.p.forEach((p, k) => {
      lanes.push({ sect: "[" + (k + 1) + "] " + SUBS[k] + (p.tr.length ? "" : " — no predicted track") });
      p.tr.forEach((t, j) => lanes.push({ kind: "pr", k, j, tr: t }));
    });
    const H = 24 + lanes.length * LANE + 6;
    const s = sv("svg", { class: "timeline", width: W, height: H, viewBox: "0 0 " + W + " " + H });
    // axis
    const ax = sv("g", { class: "axis" });
    const step = niceStep(n / 8);
    for (let f = 1; f <= n; f += step) {
      ax.appendChild(sv("line", { x1: x(f), x2: x(f), y1: 16, y2: H - 4, stroke: "#eee" }));
      ax.appendChild(sv("text", { x: x(f) + 2, y: 12 }, String(f)));
    }
    ax.appendChild(sv("text", { x: 4, y: 12 }, "frame"));
    s.appendChild(ax);
    const yOf = new Map();
    lanes.forEach((ln, i) => {
      const y = 24 + i * LANE;
      if (ln.sect) { s.appendChild(sv("text", { class: "sect", x: 4, y: y + 13 }, ln.sect)); return; }
      const c = ln.kind === "gt" ? GT_COLOR : color(ln.k);
      yOf.set(ln.kind + ":" + (ln.kind === "gt" ? "" : ln.k + ":") + ln.tr[0], y);
      const lane = sv("g", { "data-lane": ln.kind, "data-track": ln.tr[0] });
      lane.appendChild(sv("text", { x: 14, y: y + 13 }, (ln.kind === "gt" ? "GT " : "track ") + ln.tr[0]));
      for (const r of ln.tr[2]) lane.appendChild(sv("rect", { x: x(r[0]), y: y + 8, width: Math.max(1, x(r[1] + 1) - x(r[0])), height: 4, fill: c, "fill-opacity": 0.35 }));
      ln.tr[1].forEach((w, m) => {
        if (w[0] === null || w[1] === null) return;
        const a = Math.min(w[0], w[1]), b = Math.max(w[0], w[1]);
        const x0 = Math.max(LABEL, x(a)), x1 = Math.min(LABEL + plotW, x(b + 1));
        if (x1 < LABEL || x0 > LABEL + plotW) return;
        const rect = sv("rect", { x: x0, y: y + 3, width: Math.max(2, x1 - x0), height: 14, fill: c,
                                  "fill-opacity": ln.kind === "gt" ? 0.85 : Math.max(0.25, 0.9 - 0.12 * m), stroke: c });
        rect.appendChild(sv("title", null, "[" + w[0] + ", " + w[1] + "]" + (w.length > 2 && w[2] !== null ? " score " + fmt(w[2], 3) : "") + (ln.kind === "pr" ? " · listed #" + (m + 1) : "")));
        lane.appendChild(rect);
      });
      s.appendChild(lane);
    });
    // the pairing of the selected protocol, drawn in the label column
    q.p.forEach((p, k) => {
      const r = p[S.protocol];
      q.g.forEach((g, j) => {
        const y1 = yOf.get("gt:" + g[0]);
        const pid = r.pairs[j];
        if (pid === null || pid === undefined) {
          if (k !== S.sub) return;       // the selected prediction's unpaired tracks are marked
          const u = sv("text", { class: "unp", x: LABEL - 52, y: y1 + 13, "data-unpaired": g[0] }, "unpaired");
          u.appendChild(sv("title", null, "[" + (k + 1) + "] " + (r.why[j] || "unpaired")));
          s.appendChild(u);
          return;
        }
        const y2 = yOf.get("pr:" + k + ":" + pid);
        if (y2 === undefined) return;
        if (k === S.sub) s.appendChild(sv("text", { x: LABEL - 6, y: y1 + 13, "text-anchor": "end", fill: color(k), "data-paired": g[0] }, "→ " + pid));
        const xx = Math.max(1, 10 - 2 * k - Math.abs(y2 - y1) / LANE);
        const path = sv("path", { d: "M 12 " + (y1 + 9) + " C " + xx + " " + (y1 + 9) + ", " + xx + " " + (y2 + 9) + ", 12 " + (y2 + 9),
                                  fill: "none", stroke: color(k), "stroke-width": 1.5, "data-pair": g[0] + "->" + pid });
        path.appendChild(sv("title", null, "GT " + g[0] + " paired with track " + pid + " (" + S.protocol + ")"));
        s.appendChild(path);
      });
    });
    return s;
  }

  function niceStep(x) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(1, x))));
    for (const m of [1, 2, 5, 10]) if (m * p >= x) return m * p;
    return 10 * p;
  }

  function compared(q, box) {
    q.p.forEach((p, k) => {
      const c = p[S.protocol].cmp;
      if (!c) return;
      const t = el("table");
      const hr = el("tr");
      ["[" + (k + 1) + "] compared", "predicted window", "ground-truth window", "IoU"].forEach((h) => hr.appendChild(el("th", null, h)));
      t.appendChild(hr);
      for (const name of Object.keys(c)) {
        const v = c[name] || {};
        const tr = el("tr");
        [name, JSON.stringify(v.pred_window), JSON.stringify(v.gt_window), fmt(v.iou, 4)].forEach((x) => tr.appendChild(el("td", null, x)));
        t.appendChild(tr);
      }
      box.appendChild(t);
    });
  }

  function thumbnails(q, box) {
    if (thumbs === null) thumbs = JSON.parse(document.getElementById("svag-thumbs").textContent);
    const list = thumbs[q.k];
    if (!list || !list.length) {
      if (D.meta.thumbs_note) box.appendChild(el("div", { class: "notes" }, D.meta.thumbs_note));
      return;
    }
    const wrap = el("div", { class: "thumbs" });
    for (const th of list) {
      const d = el("div", { class: "thumb" });
      d.appendChild(el("img", { src: th.src, alt: "frame " + th.f }));
      const s = sv("svg", { viewBox: "0 0 " + th.W + " " + th.H, height: 320 * th.H / th.W });
      const lw = Math.max(2, th.W / 320 * 1.5);
      const box_ = (b, c, dash) => {
        s.appendChild(sv("rect", { x: b[1], y: b[2], width: b[3], height: b[4], fill: "none", stroke: c, "stroke-width": lw, "stroke-dasharray": dash ? 4 * lw : "none" }));
        s.appendChild(sv("text", { x: b[1], y: b[2] - lw, fill: c, "font-size": 9 * th.W / 320 }, b[0]));
      };
      th.gt.forEach((b) => box_(b, GT_COLOR, false));
      th.p.forEach((bs, k) => bs.forEach((b) => box_(b, color(k), true)));
      d.appendChild(s);
      d.appendChild(el("div", null, "frame " + th.f + " · green: ground truth, dashed: predictions"));
      wrap.appendChild(d);
    }
    box.appendChild(wrap);
  }

  // ---------------------------------------------------------------- wiring
  function redrawAll() {
    breakdowns();
    compare();
    refresh();
    if (S.selected) detail(S.selected);
  }
  header();
  summary();
  $("protocol").addEventListener("change", (e) => { S.protocol = e.target.value; redrawAll(); });
  $("sub").addEventListener("change", (e) => { S.sub = Number(e.target.value); redrawAll(); });
  let timer = 0;
  $("filter-text").addEventListener("input", (e) => {
    clearTimeout(timer);
    timer = setTimeout(() => { S.text = e.target.value.trim().toLowerCase(); refresh(); }, 120);
  });
  $("filter-dataset").addEventListener("change", (e) => { S.dataset = e.target.value; refresh(); });
  $("filter-only").addEventListener("change", (e) => { S.only = e.target.value; refresh(); });
  let ticking = false;
  $("list-body").addEventListener("scroll", () => {
    if (ticking) return;
    ticking = true;
    requestAnimationFrame(() => { ticking = false; drawRows(false); });
  });
  redrawAll();
  if (S.view.length) select(S.view[0]);
  // for tests and scripts: the page is drawn
  window.svagReport = { queries: Q.length, readyMs: performance.now(), scriptMs: performance.now() - T0,
                        select: (key) => { const q = Q.find((x) => x.k === key); if (q) select(q); return !!q; } };
  document.body.dataset.ready = "1";
  requestAnimationFrame(() => setTimeout(() => { window.svagReport.paintedMs = performance.now(); }, 0));
})();
