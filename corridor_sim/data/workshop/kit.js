/* The workshop kit's page: toggles, the selected combination against the base, charts drawn as
   SVG, three languages, a workshop mode with questions and reveal, export of the view as PNG.
   Every text that comes from a scenario is set with textContent (never parsed as markup), and
   nothing is fetched: the data are the JSON in the page. */
(function () {
  "use strict";
  const DATA = JSON.parse(document.getElementById("kit-data").textContent);
  const I18N = JSON.parse(document.getElementById("kit-i18n").textContent);
  const SVG = "http://www.w3.org/2000/svg";
  const COMPONENTS = ["drive", "rest", "closed", "queue", "document", "inspection", "ferry_wait", "ferry_sail", "booking", "permit"];
  const COLOURS = {drive: "#9aa5b1", rest: "#c7cdd4", closed: "#6c5b7b", queue: "#d55e00", document: "#e69f00",
                   inspection: "#cc79a7", ferry_wait: "#56b4e9", ferry_sail: "#0072b2", booking: "#009e73", permit: "#f0e442"};
  const BASE_COLOUR = "#8a8f98", SEL_COLOUR = "#0072b2";
  const VIEWS = ["time", "crossings", "queues", "journey", "checks", "map"];
  // selected: the measures ticked; level: the intensity each is at (its strongest by default)
  const state = {lang: "en", selected: new Set(), level: {}, flow: "*", view: "time", workshop: false, question: 0, revealed: false, guess: null};
  for (const m of DATA.measures) state.level[m.key] = m.levels.length - 1;
  const byCombo = new Map(DATA.combinations.map(c => [c.measures.slice().sort().join("\u0001"), c]));
  const measureLabel = Object.fromEntries(DATA.measures.flatMap(m => m.levels.map(l => [l.key, l.label])));

  // --- text -------------------------------------------------------------------------------------
  function t(key, vars) {
    let s = (I18N[state.lang] || {})[key];
    if (s === undefined) s = I18N.en[key];
    if (s === undefined) s = key;
    for (const [k, v] of Object.entries(vars || {})) s = s.split("{" + k + "}").join(String(v));
    return s;
  }
  function fmt(x, digits) { return x === null || x === undefined || !isFinite(x) ? "–" : Number(x).toFixed(digits); }
  function signed(x, digits) { const s = fmt(x, digits); return x !== null && x !== undefined && x >= 0 ? "+" + s : s; }
  function hours(x, digits) { return fmt(x, digits) + " " + t("unit_h"); }
  function range(low, high, digits) {
    if (low === null || low === undefined || high === null || high === undefined) return t("no_ci");
    const across = low !== null && high !== null && low < 0 && high >= 0;
    return t(across ? "ci_range_to" : "ci_range", {low: across ? signed(low, digits) : fmt(low, digits),
                                                   high: across ? signed(high, digits) : fmt(high, digits)});
  }
  // a figure that is missing (one replication has no interval) stays missing when turned round or scaled
  function neg(x) { return x === null || x === undefined ? null : -x; }
  function per100(x) { return x === null || x === undefined ? null : 100 * x; }
  function pct(x, digits) { return x === null || x === undefined ? "–" : fmt(100 * x, digits); }
  function el(tag, attrs, text) {
    const node = document.createElement(tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function s(tag, attrs, text) {
    const node = document.createElementNS(SVG, tag);
    for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
    if (text !== undefined) node.textContent = text;
    return node;
  }
  function names(combo) { return combo.measures.map(k => measureLabel[k]).join(" + "); }

  // --- the selection ----------------------------------------------------------------------------
  function chosenLevels() {
    return DATA.measures.filter(m => state.selected.has(m.key)).map(m => m.levels[state.level[m.key]].key);
  }
  function current() { return byCombo.get(chosenLevels().sort().join("\u0001")) || null; }
  function selectLevels(keys) {
    state.selected = new Set();
    for (const m of DATA.measures) {
      const i = m.levels.findIndex(l => keys.includes(l.key));
      if (i >= 0) { state.selected.add(m.key); state.level[m.key] = i; }
    }
  }
  function baseData() { return DATA.scenarios[DATA.base]; }
  function selData() { const c = current(); return c ? DATA.scenarios[c.scenario] : null; }
  // a combination with no flow in common with the base has no paired difference
  function diffOf(data) {
    return (data && data.difference) || {lead_time_h: null, components_h: {}, crossings: [], missed_rate: null};
  }
  function stampText(key) {
    const st = DATA.stamp, c = current();
    const rev = st.git_revision ? " (git " + String(st.git_revision).slice(0, 10) + ")" : "";
    return t(key || "stamp", {version: "corridor-sim " + (st.version || "?") + rev, seed: st.seed, n: st.replications,
                       scenario: c && c.measures.length ? c.scenario : DATA.base, base: DATA.base});
  }

  // --- headline and takeaways -------------------------------------------------------------------
  // the lead times the headline speaks of: every counted truck, or one flow (or caravan)
  function leadOf(data) { return state.flow === "*" ? data.lead_time_h : (data.flows || {})[state.flow] || null; }
  function savingOf(data) {
    const d = diffOf(data);
    return state.flow === "*" ? d.lead_time_h : (d.flows || {})[state.flow] || null;
  }
  function flowPicker() {
    const pick = el("select", {id: "flow", "aria-label": t("trucks")});
    pick.append(el("option", {value: "*"}, t("all_trucks")));
    for (const f of DATA.flows || []) pick.append(el("option", {value: f}, t("flow_named", {flow: f})));
    pick.value = state.flow;
    pick.addEventListener("change", () => { state.flow = pick.value; render(); });
    const label = el("label", {class: "figure"});
    label.append(el("small", {}, t("trucks")), pick);
    return label;
  }
  function headline() {
    const c = current(), sel = selData(), baseAll = baseData();
    const base = {lead_time_h: leadOf(baseAll) || {mean: null, ci_low: null, ci_high: null}};
    const box = document.getElementById("headline");
    box.replaceChildren();
    const baseFig = el("div", {class: "figure"});
    baseFig.append(el("small", {}, t("lead_base", {name: DATA.title})));
    baseFig.append(el("span", {id: "lead-base"}, hours(base.lead_time_h.mean, 1)));
    baseFig.append(el("small", {id: "lead-base-ci"}, range(base.lead_time_h.ci_low, base.lead_time_h.ci_high, 1)));
    if ((DATA.flows || []).length) box.append(flowPicker());
    if (!c) {
      box.append(baseFig, el("p", {id: "not-built", class: "warn"}, t("not_built", {k: DATA.max_size})));
      return;
    }
    if (!c.measures.length) {
      box.append(baseFig, el("p", {class: "note", id: "pick"}, t("pick")));
      return;
    }
    const d = savingOf(sel);
    if (!d) {
      box.append(baseFig, el("p", {id: "no-pair", class: "warn"}, t("no_pair")));
      return;
    }
    const saving = el("div", {class: "figure"});
    saving.append(el("small", {}, state.flow === "*" ? t("saving_label") : t("saving_label_flow", {flow: state.flow})));
    saving.append(el("span", {id: "saving", class: "big" + (d.significant ? "" : " unclear")}, hours(neg(d.mean), 1)));
    saving.append(el("small", {id: "saving-ci"}, range(neg(d.ci_high), neg(d.ci_low), 1)));
    saving.append(el("small", {id: "saving-rel"}, t("relative", {pct: signed(per100(d.relative), 1)})));
    if (!d.significant) saving.append(el("small", {id: "saving-unclear", class: "warn"}, t("unclear")));
    const selFig = el("div", {class: "figure"});
    selFig.append(el("small", {}, t("lead_sel", {name: names(c)})));
    const own = leadOf(sel) || {mean: null, ci_low: null, ci_high: null};
    selFig.append(el("span", {id: "lead-sel"}, hours(own.mean, 1)));
    selFig.append(el("small", {id: "lead-sel-ci"}, range(own.ci_low, own.ci_high, 1)));
    box.append(baseFig, selFig, saving);
    const extra = diffOf(sel);
    if (extra.range_h) box.append(figure("range", t("range_label"), fmt(neg(extra.range_h.high), 1) + "–" + hours(neg(extra.range_h.low), 1)));
    for (const key of ["cost", "co2"]) {
      const x = extra[key];
      if (x) box.append(figure(key, t(key + "_label"), signed(x.mean, 1) + " " + (x.unit || ""),
                               t("ci_range_unit", {low: signed(x.ci_low, 1), high: signed(x.ci_high, 1), unit: x.unit || ""})));
    }
  }
  function figure(id, label, value, note) {
    const f = el("div", {class: "figure"});
    f.append(el("small", {}, label), el("span", {id: id}, value));
    if (note) f.append(el("small", {}, note));
    return f;
  }
  function takeaways() {
    const list = document.getElementById("takeaway");
    list.replaceChildren();
    const c = current(), sel = selData();
    if (!c || !c.measures.length) return;
    const d = diffOf(sel), lead = savingOf(sel);
    if (!lead) return;
    const who = names(c) + (state.flow === "*" ? "" : ", " + t("flow_named", {flow: state.flow}));
    list.append(el("li", {}, lead.significant
      ? t(lead.mean < 0 ? "take_lead_shorter" : "take_lead_longer", {names: who, x: fmt(Math.abs(lead.mean), 1),
          low: fmt(Math.min(Math.abs(lead.ci_low), Math.abs(lead.ci_high)), 1), high: fmt(Math.max(Math.abs(lead.ci_low), Math.abs(lead.ci_high)), 1)})
      : t("take_lead_unclear", {names: who, x: signed(lead.mean, 1), low: signed(lead.ci_low, 1), high: signed(lead.ci_high, 1)})));
    const moved = COMPONENTS.map(k => [k, d.components_h[k]]).filter(([, v]) => v && v.significant)
      .sort((a, b) => Math.abs(b[1].mean) - Math.abs(a[1].mean));
    if (moved.length) {
      const [k, v] = moved[0];
      list.append(el("li", {}, t(v.mean < 0 ? "take_component_less" : "take_component_more",
        {component: t("c_" + k), x: fmt(Math.abs(v.mean), 1)})));
    }
    const crossing = d.crossings.filter(x => x.significant).sort((a, b) => a.mean - b.mean)[0];
    if (crossing && crossing.mean < 0) {
      list.append(el("li", {}, t("take_crossing", {where: crossingName(crossing), x: fmt(neg(crossing.mean), 1)})));
    }
    const missed = d.missed_rate;
    if (missed && sel.missed_rate && baseData().missed_rate) {
      list.append(el("li", {}, t(missed.significant ? (missed.mean < 0 ? "take_missed_fewer" : "take_missed_more") : "take_missed_same",
        {base: pct(baseData().missed_rate.mean, 0), sel: pct(sel.missed_rate.mean, 0)})));
    }
  }
  function crossingName(x) {
    const node = DATA.map ? DATA.map.nodes.find(n => n.name === x.node) : null;
    return (node ? node.label : x.node) + " " + x.crossing;
  }

  // --- charts -----------------------------------------------------------------------------------
  const W = 900;
  function frame(height, title) {
    const svg = s("svg", {xmlns: SVG, viewBox: "0 0 " + W + " " + (height + 100), width: W, height: height + 100,
                          "font-family": "DejaVu Sans, Arial, sans-serif", "font-size": "13", role: "img"});
    svg.append(s("rect", {x: 0, y: 0, width: W, height: height + 100, fill: "#ffffff"}));
    const c = current();
    svg.append(s("text", {x: 12, y: 24, "font-size": "18", "font-weight": "bold"}, title));
    let what = c && c.measures.length ? t("svg_selected", {names: names(c), base: DATA.title}) : DATA.title;
    const d = c && c.measures.length ? savingOf(selData()) : null;
    if (d) {  // the headline goes with the chart onto a slide
      what += " · " + (state.flow === "*" ? "" : t("flow_named", {flow: state.flow}) + ": ")
        + t("svg_saving", {x: hours(neg(d.mean), 1), ci: range(neg(d.ci_high), neg(d.ci_low), 1)});
    }
    svg.append(s("text", {x: 12, y: 46, fill: "#5b6573", class: "svg-headline"}, what));
    svg.append(s("text", {x: 12, y: height + 90, fill: "#5b6573", "font-size": "11", class: "svg-stamp"}, stampText("stamp_short")));
    const g = s("g", {transform: "translate(0,60)"});
    svg.append(g);
    return [svg, g];
  }
  function legend(g, x, y, items) {
    items.forEach(([label, colour], i) => {
      g.append(s("rect", {x: x, y: y + i * 18 - 10, width: 12, height: 12, fill: colour}));
      g.append(s("text", {x: x + 18, y: y + i * 18}, label));
    });
  }
  function niceStep(raw) {
    const p = Math.pow(10, Math.floor(Math.log10(Math.max(raw, 1e-9))));
    return [1, 2, 5, 10].map(m => m * p).find(v => v >= raw) || raw;
  }
  function message(g, text) { g.append(s("text", {x: 12, y: 40, "font-size": "16", fill: "#5b6573", class: "no-data"}, text)); }

  function viewTime() {
    const base = baseData(), sel = selData(), c = current();
    const rows = [[DATA.title, base, "base"]];
    if (sel && c.measures.length) rows.push([names(c), sel, "sel"]);
    const used = COMPONENTS.filter(k => rows.some(([, d]) => (d.components_h[k] || 0) > 0));
    const [svg, g] = frame(140 + 22 * used.length, t("v_time"));
    const max = Math.max(...rows.map(([, d]) => d.lead_time_h.mean));
    const x0 = 240, width = 560, scale = width / (max || 1);
    rows.forEach(([label, d, key], i) => {
      const y = 10 + i * 50;
      g.append(s("text", {x: x0 - 8, y: y + 22, "text-anchor": "end"}, label.length > 34 ? label.slice(0, 33) + "…" : label));
      let at = x0;
      for (const k of used) {
        const v = d.components_h[k] || 0;
        if (v <= 0) continue;
        const r = s("rect", {x: at, y: y, width: v * scale, height: 34, fill: COLOURS[k]});
        r.append(s("title", {}, t("c_" + k) + ": " + hours(v, 1)));
        g.append(r);
        at += v * scale;
      }
      g.append(s("text", {x: at + 6, y: y + 22, "data-v": "lead:" + key}, hours(d.lead_time_h.mean, 1)));
    });
    // the table of components: base, selected, paired difference
    const top = 10 + rows.length * 50 + 14;
    g.append(s("text", {x: 12, y: top, "font-weight": "bold"}, t("component")));
    g.append(s("text", {x: 430, y: top, "text-anchor": "end", "font-weight": "bold"}, t("base_short")));
    if (rows.length > 1) {
      g.append(s("text", {x: 540, y: top, "text-anchor": "end", "font-weight": "bold"}, t("selected_short")));
      g.append(s("text", {x: 660, y: top, "text-anchor": "end", "font-weight": "bold"}, t("difference")));
      g.append(s("text", {x: 680, y: top, "font-weight": "bold"}, t("ci95")));
    }
    used.forEach((k, i) => {
      const y = top + 22 * (i + 1);
      g.append(s("rect", {x: 12, y: y - 11, width: 12, height: 12, fill: COLOURS[k]}));
      g.append(s("text", {x: 30, y: y}, t("c_" + k)));
      g.append(s("text", {x: 430, y: y, "text-anchor": "end", "data-v": "component:" + k + ":base"}, fmt(base.components_h[k], 1)));
      if (rows.length > 1) {
        const d = diffOf(sel).components_h[k];
        g.append(s("text", {x: 540, y: y, "text-anchor": "end", "data-v": "component:" + k + ":sel"}, fmt(sel.components_h[k], 1)));
        g.append(s("text", {x: 660, y: y, "text-anchor": "end", "data-v": "component:" + k + ":diff"}, d ? signed(d.mean, 1) : "–"));
        g.append(s("text", {x: 680, y: y}, d ? "[" + signed(d.ci_low, 1) + ", " + signed(d.ci_high, 1) + "]" : ""));
      }
    });
    return svg;
  }

  function viewCrossings() {
    const base = baseData(), sel = selData(), c = current();
    const showSel = sel && c.measures.length;
    const list = base.crossings;
    const [svg, g] = frame(Math.max(60, 34 * list.length + 40), t("v_crossings"));
    if (!list.length) { message(g, t("no_crossings")); return svg; }
    const selBy = new Map((showSel ? sel.crossings : []).map(x => [x.node + "|" + x.crossing, x]));
    const diffBy = new Map((showSel ? diffOf(sel).crossings : []).map(x => [x.node + "|" + x.crossing, x]));
    // scaled to the means (an interval of few replications may be far wider), intervals clipped to the axis
    const max = 1.15 * Math.max(...list.map(x => x.mean), ...[...selBy.values()].map(x => x.mean)) || 1;
    const x0 = 250, width = 430, scale = width / max;
    const at = v => x0 + Math.min(width, Math.max(0, (v === null ? 0 : v) * scale));
    list.forEach((x, i) => {
      const key = x.node + "|" + x.crossing, y = 10 + i * 34;
      g.append(s("text", {x: x0 - 8, y: y + 16, "text-anchor": "end"}, crossingName(x)));
      g.append(s("rect", {x: x0, y: y, width: Math.max(0, x.mean * scale), height: showSel ? 12 : 22, fill: BASE_COLOUR}));
      g.append(s("line", {x1: at(x.ci_low), x2: at(x.ci_high), y1: y + 6, y2: y + 6, stroke: "#333"}));
      g.append(s("text", {x: 700, y: y + 11, "data-v": "crossing:" + key + ":base"}, fmt(x.mean, 1)));
      const o = selBy.get(key), d = diffBy.get(key);
      if (o) {
        g.append(s("rect", {x: x0, y: y + 13, width: Math.max(0, o.mean * scale), height: 12, fill: SEL_COLOUR}));
        g.append(s("line", {x1: at(o.ci_low), x2: at(o.ci_high), y1: y + 19, y2: y + 19, stroke: "#333"}));
        g.append(s("text", {x: 750, y: y + 11, "data-v": "crossing:" + key + ":sel", fill: SEL_COLOUR}, fmt(o.mean, 1)));
      }
      if (d) g.append(s("text", {x: 800, y: y + 11, "data-v": "crossing:" + key + ":diff", fill: d.significant ? (d.mean < 0 ? "#009e73" : "#d55e00") : "#5b6573"}, signed(d.mean, 1)));
    });
    const y = 10 + list.length * 34 + 8;
    g.append(s("text", {x: 700, y: y, "font-size": "11", fill: "#5b6573"}, t("hours_columns")));
    legend(g, 20, y + 4, showSel ? [[DATA.title, BASE_COLOUR], [names(c), SEL_COLOUR]] : [[DATA.title, BASE_COLOUR]]);
    return svg;
  }

  function viewQueues() {
    const q = DATA.queues, c = current(), sel = selData();
    const panels = q ? q.controls : [];
    const ph = 110;
    const [svg, g] = frame(Math.max(60, panels.length * (ph + 30) + 30), t("v_queues"));
    if (!panels.length) { message(g, t("no_queues")); return svg; }
    const scenarios = [[DATA.base, BASE_COLOUR, DATA.title]];
    if (sel && c.measures.length) scenarios.push([c.scenario, SEL_COLOUR, names(c)]);
    const x0 = 70, width = 780, n = q.hours;
    panels.forEach((control, i) => {
      const y0 = i * (ph + 30) + 16;
      const series = scenarios.map(([name, colour]) => [((q.series[name] || {})[control]) || [], colour]);
      const max = Math.max(1, ...series.flatMap(([v]) => v));
      g.append(s("text", {x: x0, y: y0 - 2, "font-weight": "bold"}, control));
      g.append(s("line", {x1: x0, x2: x0 + width, y1: y0 + ph, y2: y0 + ph, stroke: "#999"}));
      g.append(s("text", {x: x0 - 6, y: y0 + 12, "text-anchor": "end", "font-size": "11"}, fmt(max, 0)));
      g.append(s("text", {x: x0 - 6, y: y0 + ph, "text-anchor": "end", "font-size": "11"}, "0"));
      for (let day = 0; day * 24 < n; day++) {
        const x = x0 + width * day * 24 / Math.max(1, n - 1);
        g.append(s("line", {x1: x, x2: x, y1: y0 + ph, y2: y0 + ph + 4, stroke: "#999"}));
        if (i === panels.length - 1) g.append(s("text", {x: x + 2, y: y0 + ph + 16, "font-size": "11"}, t("day", {d: day + 1})));
      }
      for (const [values, colour] of series) {
        if (!values.length) continue;
        const pts = values.map((v, k) => (x0 + width * k / Math.max(1, n - 1)).toFixed(1) + "," + (y0 + ph - ph * v / max).toFixed(1));
        g.append(s("polyline", {points: pts.join(" "), fill: "none", stroke: colour, "stroke-width": 1.6}));
      }
    });
    const y = panels.length * (ph + 30) + 22;
    legend(g, x0, y, scenarios.map(([, colour, label]) => [label, colour]));
    g.append(s("text", {x: x0 + 420, y: y, "font-size": "11", fill: "#5b6573"}, t("queues_note")));
    return svg;
  }

  function viewJourney() {
    const j = DATA.journeys, c = current(), sel = selData();
    const [svg, g] = frame(380, t("v_journey"));
    if (!j) { message(g, t("no_journey")); return svg; }
    const lines = [[DATA.base, BASE_COLOUR, DATA.title]];
    if (sel && c.measures.length && j.lines[c.scenario]) lines.push([c.scenario, SEL_COLOUR, names(c)]);
    const x0 = 70, width = 700, h = 300, hours = j.hours;
    const maxH = hours[hours.length - 1] || 1;
    const maxKm = Math.max(1, ...lines.flatMap(([name]) => (j.lines[name] || {high: []}).high));
    const X = v => x0 + width * v / maxH, Y = v => 10 + h - h * v / maxKm;
    g.append(s("line", {x1: x0, x2: x0 + width, y1: 10 + h, y2: 10 + h, stroke: "#999"}));
    g.append(s("line", {x1: x0, x2: x0, y1: 10, y2: 10 + h, stroke: "#999"}));
    g.append(s("text", {x: x0 + width, y: h + 46, "text-anchor": "end"}, t("hours_since", {h: fmt(maxH, 0)})));
    for (let v = 0, step = niceStep(maxH / 8); v <= maxH; v += step) {
      g.append(s("line", {x1: X(v), x2: X(v), y1: 10, y2: 10 + h, stroke: "#eceef1"}));
      g.append(s("text", {x: X(v), y: h + 26, "text-anchor": "middle", "font-size": "11"}, fmt(v, 0)));
    }
    for (let v = 0, step = niceStep(maxKm / 5); v <= maxKm; v += step) {
      g.append(s("line", {x1: x0, x2: x0 + width, y1: Y(v), y2: Y(v), stroke: "#eceef1"}));
      g.append(s("text", {x: x0 - 6, y: Y(v) + 4, "text-anchor": "end", "font-size": "11"}, fmt(v, 0) + " km"));
    }
    for (const [name, colour] of lines) {
      const line = j.lines[name];
      if (!line) continue;
      const band = hours.map((v, k) => X(v).toFixed(1) + "," + Y(line.high[k]).toFixed(1))
        .concat(hours.map((v, k) => X(v).toFixed(1) + "," + Y(line.low[k]).toFixed(1)).reverse());
      g.append(s("polygon", {points: band.join(" "), fill: colour, "fill-opacity": 0.15, stroke: "none"}));
      g.append(s("polyline", {points: hours.map((v, k) => X(v).toFixed(1) + "," + Y(line.km[k]).toFixed(1)).join(" "),
                              fill: "none", stroke: colour, "stroke-width": 2}));
    }
    let last = -Infinity;
    for (const stop of j.stops || []) {  // the places on the right, where the flat stretches are
      const y = Y(stop.km);
      if (Math.abs(y - last) < 13) continue;
      last = y;
      g.append(s("line", {x1: x0 + width, x2: x0 + width + 4, y1: y, y2: y, stroke: "#999"}));
      g.append(s("text", {x: x0 + width + 6, y: y + 4, "font-size": "10", fill: "#444", class: "stop"}, stop.label));
    }
    legend(g, x0 + 10, 30, lines.map(([name, colour, label]) => [label + ": " + t("median_h", {h: fmt(j.lines[name].lead_h, 0)}), colour]));
    g.append(s("text", {x: x0 + 10, y: 30 + lines.length * 18 + 4, "font-size": "11", fill: "#5b6573"}, t("journey_note", {group: j.group})));
    return svg;
  }

  function viewChecks() {
    const base = baseData(), sel = selData(), c = current();
    const showSel = sel && c.measures.length;
    const [svg, g] = frame(300, t("v_checks"));
    const rows = [[DATA.title, base, BASE_COLOUR, "base"]];
    if (showSel) rows.push([names(c), sel, SEL_COLOUR, "sel"]);
    const max = 1.15 * Math.max(1, ...rows.map(([, d]) => (d.inspections_per_100 || {}).mean || 0));
    g.append(s("text", {x: 12, y: 14, "font-weight": "bold"}, t("inspections")));
    rows.forEach(([label, d, colour, key], i) => {
      const y = 24 + i * 30, v = d.inspections_per_100;
      g.append(s("text", {x: 232, y: y + 15, "text-anchor": "end"}, label.length > 30 ? label.slice(0, 29) + "…" : label));
      if (!v) return;
      g.append(s("rect", {x: 240, y: y, width: 420 * v.mean / max, height: 20, fill: colour}));
      g.append(s("text", {x: 670, y: y + 15, "data-v": "inspections:" + key}, fmt(v.mean, 1)));
      g.append(s("text", {x: 720, y: y + 15, fill: "#5b6573"}, "[" + fmt(v.ci_low, 1) + ", " + fmt(v.ci_high, 1) + "]"));
    });
    const top = 24 + rows.length * 30 + 30;
    g.append(s("text", {x: 12, y: top, "font-weight": "bold"}, t("missed")));
    if (!base.missed_rate) { g.append(s("text", {x: 12, y: top + 24, fill: "#5b6573", class: "no-data"}, t("no_missed"))); return svg; }
    rows.forEach(([label, d, colour, key], i) => {
      const y = top + 10 + i * 30, v = d.missed_rate;
      g.append(s("text", {x: 232, y: y + 15, "text-anchor": "end"}, label.length > 30 ? label.slice(0, 29) + "…" : label));
      if (!v) return;
      g.append(s("rect", {x: 240, y: y, width: 420 * v.mean, height: 20, fill: colour}));
      g.append(s("text", {x: 670, y: y + 15, "data-v": "missed:" + key}, pct(v.mean, 0) + "%"));
      g.append(s("text", {x: 720, y: y + 15, fill: "#5b6573"}, "[" + pct(v.ci_low, 0) + ", " + pct(v.ci_high, 0) + "]"));
    });
    if (showSel && diffOf(sel).missed_rate) {
      const d = diffOf(sel).missed_rate, y = top + 10 + rows.length * 30 + 22;
      g.append(s("text", {x: 12, y: y, "data-v": "missed:diff"},
        t("missed_diff", {x: signed(per100(d.mean), 0), low: signed(per100(d.ci_low), 0), high: signed(per100(d.ci_high), 0)})
        + (d.significant ? "" : " " + t("unclear_short"))));
    }
    return svg;
  }

  function viewMap() {
    const m = DATA.map, c = current(), sel = selData();
    if (!m) { const [svg, g] = frame(80, t("v_map")); message(g, t("no_map")); return svg; }
    const [lon0, lon1, lat0, lat1] = m.box;
    const k = Math.cos((lat0 + lat1) / 2 * Math.PI / 180);
    const sc = Math.min(860 / ((lon1 - lon0) * k), 520 / (lat1 - lat0));
    const mw = (lon1 - lon0) * k * sc, mh = (lat1 - lat0) * sc;
    const [svg, g] = frame(mh + 40, t("v_map"));
    const X = lon => 20 + (lon - lon0) * k * sc, Y = lat => 10 + (lat1 - lat) * sc;
    const clip = s("clipPath", {id: "map-clip"});
    clip.append(s("rect", {x: 20, y: 10, width: mw, height: mh}));
    g.append(clip);
    const land = s("g", {"clip-path": "url(#map-clip)"});
    land.append(s("rect", {x: 20, y: 10, width: mw, height: mh, fill: "#dce7ef"}));
    for (const ring of m.rings) {
      land.append(s("path", {d: "M" + ring.map(p => X(p[0]).toFixed(1) + "," + Y(p[1]).toFixed(1)).join("L") + "Z",
                             fill: "#f2f0eb", stroke: "#a8a39a", "stroke-width": 0.6}));
    }
    g.append(land);
    const at = Object.fromEntries(m.nodes.map(n => [n.name, n]));
    for (const link of m.links) {
      const a = at[link.from], b = at[link.to];
      g.append(s("line", {x1: X(a.lon), y1: Y(a.lat), x2: X(b.lon), y2: Y(b.lat), stroke: link.mode === "ferry" ? "#0072b2" : "#555",
                          "stroke-width": 1.5, "stroke-dasharray": link.mode === "ferry" ? "5,4" : "none"}));
    }
    // each place with a control: its slowest crossing (in the combination shown) and that crossing's change
    const showSel = sel && c.measures.length;
    const shown = showSel ? sel : baseData();
    const slowest = new Map();
    for (const x of shown.crossings) if (!slowest.has(x.node) || x.mean > slowest.get(x.node).mean) slowest.set(x.node, x);
    const change = new Map((showSel ? diffOf(sel).crossings : []).map(x => [x.node + "|" + x.crossing, x]));
    const max = Math.max(1, ...[...slowest.values()].map(x => x.mean));
    const placed = [];
    const free = (x, y, w) => !placed.some(([px, py, pw]) => x < px + pw && px < x + w && Math.abs(y - py) < 14);
    const nodes = m.nodes.slice().sort((a, b) => ((slowest.get(b.name) || {mean: -1}).mean) - ((slowest.get(a.name) || {mean: -1}).mean));
    for (const n of nodes) {
      const x = X(n.lon), y = Y(n.lat), cross = slowest.get(n.name);
      if (cross) {
        const d = change.get(n.name + "|" + cross.crossing);
        const colour = !d || !d.significant ? "#e69f00" : d.mean < 0 ? "#009e73" : "#d55e00";
        g.append(s("circle", {cx: x, cy: y, r: 4 + 18 * Math.sqrt(cross.mean / max), fill: colour, "fill-opacity": 0.55, stroke: "#333"}));
      } else {
        g.append(s("circle", {cx: x, cy: y, r: 3, fill: "#333"}));
      }
    }
    for (const n of nodes) {
      const x = X(n.lon), y = Y(n.lat), cross = slowest.get(n.name);
      let label = n.label;
      if (cross) {
        const d = change.get(n.name + "|" + cross.crossing);
        label += " " + cross.crossing + ": " + hours(cross.mean, 1) + (d ? " (" + signed(d.mean, 1) + ")" : "");
      }
      const w = 6.6 * label.length;
      const spot = [[x + 8, y - 8], [x + 8, y + 16], [x - 8 - w, y - 8], [x - 8 - w, y + 16]]
        .find(([px, py]) => px >= 20 && px + w <= 20 + mw && py > 20 && py < mh && free(px, py, w));
      if (!spot) continue;
      placed.push([spot[0], spot[1], w]);
      g.append(s("text", {x: spot[0], y: spot[1], "font-size": cross ? "12" : "11", "data-v": "map:" + n.name, "paint-order": "stroke",
                          stroke: "#fff", "stroke-width": 3, fill: cross ? "#111" : "#444"}, label));
    }
    g.append(s("text", {x: 20, y: mh + 30, "font-size": "11", fill: "#333"}, t("map_note")));
    return svg;
  }

  const DRAW = {time: viewTime, crossings: viewCrossings, queues: viewQueues, journey: viewJourney, checks: viewChecks, map: viewMap};

  // --- workshop mode ------------------------------------------------------------------------------
  function questions() {
    const out = [];
    const single = k => DATA.combinations.find(c => c.measures.length === 1 && c.measures[0] === k);
    const used = new Set();  // pairs of measures not asked about yet: the room hears of each
    for (const p of DATA.pairs) {
      if (used.has(p.a) || used.has(p.b) || out.length >= 3) continue;
      used.add(p.a); used.add(p.b);
      const winner = !p.significant ? "same" : p.mean < 0 ? p.a : p.b;
      out.push({kind: "which", a: p.a, b: p.b, pair: p, answer: winner, select: [p.a], view: "time"});
    }
    for (const m of DATA.measures.slice(0, 3)) {
      const c = single(m.key);
      if (!c) continue;
      const diff = DATA.scenarios[c.scenario].difference;
      if (!diff || !diff.crossings.length) continue;
      const ranked = diff.crossings.slice().sort((a, b) => a.mean - b.mean);
      if (ranked[0].mean >= 0) continue;
      const options = ranked.slice(0, 3).map(crossingName).sort();
      if (options.length < 2) continue;
      out.push({kind: "where", a: m.key, options: options, answer: crossingName(ranked[0]), best: ranked[0], select: [m.key], view: "crossings"});
    }
    const missed = DATA.measures.map(m => [m, single(m.key)])
      .map(([m, c]) => [m, c && (DATA.scenarios[c.scenario].difference || {}).missed_rate])
      .filter(([, d]) => d && d.mean !== null)
      .sort((a, b) => Math.abs(b[1].mean) - Math.abs(a[1].mean));  // the measures that move it most
    for (const [m, d] of missed.slice(0, 2)) {
      const answer = !d.significant ? "same" : d.mean < 0 ? "fewer" : "more";
      out.push({kind: "missed", a: m.key, d: d, answer: answer, select: [m.key], view: "checks"});
    }
    const largest = DATA.combinations.slice().sort((a, b) => b.measures.length - a.measures.length)[0];
    if (largest && largest.measures.length > 1) out.push({kind: "guess", combo: largest, select: largest.measures, view: "time"});
    return out;
  }
  function askText(q) {
    if (q.kind === "which") return t("q_which", {a: measureLabel[q.a], b: measureLabel[q.b]});
    if (q.kind === "where") return t("q_where", {a: measureLabel[q.a]});
    if (q.kind === "missed") return t("q_missed", {a: measureLabel[q.a]});
    return t("q_guess", {names: names(q.combo)});
  }
  function optionList(q) {
    if (q.kind === "which") return [[q.a, measureLabel[q.a]], [q.b, measureLabel[q.b]], ["same", t("o_same")]];
    if (q.kind === "where") return q.options.map(o => [o, o]);
    if (q.kind === "missed") return [["fewer", t("o_fewer")], ["more", t("o_more")], ["same", t("o_no_change")]];
    return [];
  }
  function answerText(q) {
    const saved = k => {
      const c = DATA.combinations.find(x => x.measures.length === 1 && x.measures[0] === k);
      const d = diffOf(DATA.scenarios[c.scenario]).lead_time_h || {mean: null, ci_low: null, ci_high: null};
      return t("saved_ci", {x: fmt(neg(d.mean), 1), ci: range(neg(d.ci_high), neg(d.ci_low), 1)});
    };
    if (q.kind === "which") {
      const p = q.pair;
      const head = q.answer === "same" ? t("a_same") : t("a_more", {a: measureLabel[q.answer]});
      return head + " " + measureLabel[q.a] + ": " + saved(q.a) + "; " + measureLabel[q.b] + ": " + saved(q.b) + ". "
        + t("a_pair", {a: measureLabel[p.a], b: measureLabel[p.b], x: signed(p.mean, 1), low: signed(p.ci_low, 1), high: signed(p.ci_high, 1)});
    }
    if (q.kind === "where") {
      const b = q.best;
      return t("a_where", {where: q.answer, x: fmt(neg(b.mean), 1), ci: range(neg(b.ci_high), neg(b.ci_low), 1)});
    }
    if (q.kind === "missed") {
      const d = q.d;
      return t("a_missed_" + q.answer, {x: signed(per100(d.mean), 0), low: signed(per100(d.ci_low), 0), high: signed(per100(d.ci_high), 0)});
    }
    const d = diffOf(DATA.scenarios[q.combo.scenario]).lead_time_h || {mean: null, ci_low: null, ci_high: null};
    return t("a_guess", {names: names(q.combo), x: fmt(neg(d.mean), 1), ci: range(neg(d.ci_high), neg(d.ci_low), 1)});
  }
  function renderWorkshop() {
    const box = document.getElementById("workshop");
    box.hidden = !state.workshop;
    if (!state.workshop) return;
    const list = questions();
    box.replaceChildren();
    if (!list.length) { box.append(el("p", {class: "note"}, t("no_questions"))); return; }
    state.question = Math.min(state.question, list.length - 1);
    const q = list[state.question];
    box.append(el("div", {class: "note", id: "q-count"}, t("question_n", {i: state.question + 1, n: list.length})));
    box.append(el("div", {class: "question", id: "question"}, askText(q)));
    const options = el("div", {class: "options"});
    for (const [value, label] of optionList(q)) {
      const b = el("button", {type: "button", "data-option": value, "aria-pressed": String(state.guess === value)}, label);
      b.addEventListener("click", () => { state.guess = value; renderWorkshop(); });
      options.append(b);
    }
    box.append(options);
    if (state.revealed) box.append(el("div", {class: "answer", id: "answer"}, answerText(q)));
    const controls = el("div", {class: "controls"});
    const prev = el("button", {type: "button", id: "q-prev"}, t("previous"));
    prev.disabled = state.question === 0;
    prev.addEventListener("click", () => go(-1));
    const reveal = el("button", {type: "button", id: "q-reveal"}, t("reveal"));
    reveal.disabled = state.revealed;
    reveal.addEventListener("click", () => {
      state.revealed = true;
      selectLevels(q.select);
      state.view = q.view;
      render();
    });
    const next = el("button", {type: "button", id: "q-next"}, t("next"));
    next.disabled = state.question >= list.length - 1;
    next.addEventListener("click", () => go(1));
    controls.append(prev, reveal, next);
    box.append(controls);
  }
  function go(step) {
    state.question += step;
    state.revealed = false;
    state.guess = null;
    state.selected = new Set();
    render();
  }

  // --- the page -----------------------------------------------------------------------------------
  function renderToggles() {
    const box = document.getElementById("toggles");
    box.replaceChildren();
    for (const m of DATA.measures) {
      const label = el("label");
      const input = el("input", {type: "checkbox", "data-measure": m.key});
      input.checked = state.selected.has(m.key);
      input.addEventListener("change", () => {
        if (input.checked) state.selected.add(m.key); else state.selected.delete(m.key);
        render();
      });
      label.append(input, el("span", {}, m.label));
      box.append(label);
      if (m.levels.length > 1) {
        const row = el("div", {class: "level"});
        const slider = el("input", {type: "range", min: "0", max: String(m.levels.length - 1), step: "1",
                                    value: String(state.level[m.key]), "data-levels": m.key, "aria-label": m.label});
        slider.addEventListener("input", () => {
          state.level[m.key] = Number(slider.value);
          state.selected.add(m.key);
          render();
        });
        row.append(slider, el("span", {"data-level-label": m.key}, m.levels[state.level[m.key]].label));
        box.append(row);
      }
    }
    box.append(el("p", {class: "note"}, t("built", {n: DATA.combinations.length - 1, k: DATA.max_size, m: DATA.measures.length})));
  }
  function renderStatic() {
    document.documentElement.lang = state.lang;
    document.getElementById("lang").value = state.lang;
    for (const node of document.querySelectorAll("[data-i18n]")) node.textContent = t(node.getAttribute("data-i18n"));
    document.getElementById("title").textContent = t("title", {name: DATA.title});
    const nav = document.getElementById("views");
    nav.replaceChildren();
    for (const v of VIEWS) {
      const b = el("button", {type: "button", role: "tab", "data-view": v, "aria-selected": String(state.view === v)}, t("v_" + v));
      b.addEventListener("click", () => { state.view = v; render(); });
      nav.append(b);
    }
    document.getElementById("mode").setAttribute("aria-pressed", String(state.workshop));
  }
  // the view in the address (kit.html#measures=etir,more-lanes&view=map&lang=ru): a slide can link to it
  function fromHash() {
    const params = new URLSearchParams(location.hash.slice(1));
    if (I18N[params.get("lang")]) state.lang = params.get("lang");
    if (VIEWS.includes(params.get("view"))) state.view = params.get("view");
    if (params.get("measures")) selectLevels(params.get("measures").split(","));
    if ((DATA.flows || []).includes(params.get("flow"))) state.flow = params.get("flow");
  }
  function toHash() {
    const params = new URLSearchParams({measures: chosenLevels().join(","), view: state.view, lang: state.lang});
    if (state.flow !== "*") params.set("flow", state.flow);
    try { history.replaceState(null, "", "#" + params.toString()); } catch (e) { /* a browser that keeps file: addresses fixed */ }
  }
  function render() {
    renderStatic();
    renderToggles();
    renderWorkshop();
    headline();
    takeaways();
    const view = document.getElementById("view");
    view.replaceChildren(DRAW[state.view]());
    view.setAttribute("data-view", state.view);
    document.getElementById("stamp").textContent = stampText();
    toHash();
  }
  function exportPng() {
    const svg = document.querySelector("#view svg");
    const text = new XMLSerializer().serializeToString(svg);
    const img = new Image();
    img.onload = () => {
      const canvas = document.createElement("canvas");
      canvas.width = 2 * Number(svg.getAttribute("width"));
      canvas.height = 2 * Number(svg.getAttribute("height"));
      const ctx = canvas.getContext("2d");
      ctx.fillStyle = "#ffffff";
      ctx.fillRect(0, 0, canvas.width, canvas.height);
      ctx.drawImage(img, 0, 0, canvas.width, canvas.height);
      const a = el("a", {href: canvas.toDataURL("image/png"), download: "workshop-" + state.view + ".png"});
      document.body.append(a);
      a.click();
      a.remove();
    };
    img.src = "data:image/svg+xml;charset=utf-8," + encodeURIComponent(text);
  }
  document.getElementById("lang").addEventListener("change", e => { state.lang = e.target.value; render(); });
  document.getElementById("mode").addEventListener("click", () => {
    state.workshop = !state.workshop;
    state.question = 0; state.revealed = false; state.guess = null;
    render();
  });
  document.getElementById("export").addEventListener("click", exportPng);
  // a presenter's clicker sends Page Down / Page Up (or the arrows): reveal, then the next question
  document.addEventListener("keydown", e => {
    if (!state.workshop || e.target.closest("select, input")) return;
    const forward = ["PageDown", "ArrowRight"].includes(e.key), back = ["PageUp", "ArrowLeft"].includes(e.key);
    if (!forward && !back) return;
    e.preventDefault();
    const button = document.getElementById(back ? "q-prev" : state.revealed ? "q-next" : "q-reveal");
    if (button && !button.disabled) button.click();
  });
  fromHash();
  render();
  document.body.setAttribute("data-ready", "1");
})();
