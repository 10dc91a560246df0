// The local page of geomap (geomap app). Plain JavaScript, no build step, no CDN.
//
// Everything that comes from a list (file and sheet names, headers, cells, messages that
// quote them) is written with textContent or as an option's text: never as markup, never
// into a script. The map itself is the file `geomap render` writes, shown in an
// <iframe sandbox="allow-scripts"> without allow-same-origin.
"use strict";

(function () {
  const boot = JSON.parse(document.getElementById("geomap-boot").textContent);
  const TEXTS = boot.texts;
  const POLL_MS = 400;
  const KEEPALIVE_MS = 60000;
  const state = {lang: boot.lang, job: null, read: null, run: 0, poll: null, keepalive: null, busy: false};

  const $ = (id) => document.getElementById(id);

  function t(key, params) {
    const table = TEXTS[state.lang] || TEXTS.ja;
    const text = table[key] !== undefined ? table[key] : (TEXTS.ja[key] !== undefined ? TEXTS.ja[key] : key);
    return text.replace(/\{(\w+)\}/g, (whole, name) =>
      params && Object.prototype.hasOwnProperty.call(params, name) ? String(params[name]) : whole);
  }

  function number(n) {
    return Number(n).toLocaleString("en-US");
  }

  function applyTexts() {
    document.documentElement.lang = state.lang;
    document.querySelectorAll("[data-text]").forEach((el) => { el.textContent = t(el.dataset.text); });
    document.querySelectorAll("[data-title]").forEach((el) => { el.title = t(el.dataset.title); });
    if (state.read) {
      showReadTexts(state.read);
    }
  }

  // -- messages --------------------------------------------------------------------------

  function showError(text) {
    const box = $("error");
    box.textContent = text;
    box.hidden = false;
    box.scrollIntoView({block: "nearest"});
  }

  function clearError() {
    $("error").hidden = true;
    $("error").textContent = "";
  }

  class PageError extends Error {
    constructor(text, answer) {
      super(text);
      this.answer = answer || {};
    }
  }

  async function answerOf(response) {
    let data = null;
    try {
      data = await response.json();
    } catch (e) {
      data = null;
    }
    if (data === null || typeof data !== "object") {
      throw new PageError(t("app_connection"));
    }
    if (!response.ok || data.error) {
      throw new PageError(data.error || t("app_connection"), data);
    }
    return data;
  }

  async function request(path, options) {
    let response;
    try {
      response = await fetch(path, Object.assign({credentials: "same-origin", cache: "no-store"}, options));
    } catch (e) {
      throw new PageError(t("app_connection"));
    }
    return answerOf(response);
  }

  function post(path, body) {
    return request(path + "?lang=" + encodeURIComponent(state.lang), {
      method: "POST",
      headers: {"Content-Type": "application/json"},
      body: JSON.stringify(body || {}),
    });
  }

  // -- tables and selects --------------------------------------------------------------

  function fillSelect(select, options, selected) {
    select.replaceChildren();
    for (const item of options) {
      const option = document.createElement("option");
      option.value = item.value;
      option.textContent = item.text;
      if (item.value === selected) {
        option.selected = true;
      }
      select.appendChild(option);
    }
  }

  function fillTable(table, columns, rows) {
    table.replaceChildren();
    const head = table.createTHead().insertRow();
    for (const column of columns) {
      const th = document.createElement("th");
      th.textContent = column;
      head.appendChild(th);
    }
    const body = table.createTBody();
    for (const row of rows) {
      const tr = body.insertRow();
      for (const value of row) {
        tr.insertCell().textContent = value;
      }
    }
  }

  // -- the file ----------------------------------------------------------------------------

  async function closeJob() {
    if (state.job) {
      const job = state.job;
      state.job = null;
      try {
        await post("/api/jobs/" + encodeURIComponent(job) + "/close");
      } catch (e) {
        // the job is gone already: nothing to do
      }
    }
  }

  function resetAfterFile() {
    state.read = null;
    state.run = 0;
    stopPolling();
    for (const id of ["step-columns", "step-options", "step-result", "preview-box", "read-controls",
      "file-info", "progress-box"]) {
      $(id).hidden = true;
    }
  }

  async function upload(file) {
    if (!file || state.busy) {
      return;
    }
    clearError();
    await closeJob();
    resetAfterFile();
    $("reading").hidden = false;
    state.busy = true;
    const form = new FormData();
    form.append("file", file, file.name);
    try {
      const answer = await request("/api/upload?lang=" + encodeURIComponent(state.lang), {method: "POST", body: form});
      showRead(answer);
    } catch (e) {
      if (e.answer && e.answer.job) {
        state.job = e.answer.job;
        showUnread(e.answer);
      }
      showError(e.message);
    } finally {
      $("reading").hidden = true;
      state.busy = false;
    }
  }

  async function reread(changed) {
    if (!state.job || state.busy) {
      return;
    }
    clearError();
    const body = {
      sheet: $("sheet").value,
      header_row: changed === "sheet" ? "" : $("header-row").value,
      encoding: $("encoding").value,
    };
    $("reading").hidden = false;
    state.busy = true;
    try {
      showRead(await post("/api/jobs/" + encodeURIComponent(state.job) + "/read", body), body.header_row);
    } catch (e) {
      showError(e.message);
    } finally {
      $("reading").hidden = true;
      state.busy = false;
    }
  }

  function headerOptions(read) {
    const options = [{value: "", text: read && read.header_row ? t("app_header_auto", {row: read.header_row}) : t("app_header_auto_none")}];
    const count = read ? read.header_rows : 30;
    for (let row = 1; row <= count; row++) {
      options.push({value: String(row), text: t("app_header_row_n", {row: row})});
    }
    return options;
  }

  // A file that could not be read: the reading controls stay, so the encoding or the
  // header row can be changed.
  function showUnread(answer) {
    $("file-info").textContent = answer.name || "";
    $("file-info").hidden = false;
    fillSelect($("header-row"), headerOptions(null), "");
    $("sheet-label").hidden = true;
    $("read-controls").hidden = false;
  }

  function columnOptions(columns, auto) {
    const options = auto ? [auto] : [];
    for (const column of columns) {
      options.push({value: "c:" + column, text: column});
    }
    return options;
  }

  function addressAuto(found) {
    if (found.address) {
      return {value: "", text: t("app_auto_column", {column: found.address})};
    }
    if (found.parts.length) {
      return {value: "", text: t("app_auto_parts", {columns: found.parts.join(state.lang === "ja" ? "＋" : " + ")})};
    }
    if (found.lat && found.lon) {
      return {value: "", text: t("app_auto_latlon", {lat: found.lat, lon: found.lon})};
    }
    return {value: "", text: t("app_auto_missing")};
  }

  function showReadTexts(read) {
    $("file-info").textContent = t("app_file_info", {name: read.name, rows: number(read.rows)});
    $("preview-caption").textContent = t("app_preview", {count: number(read.preview.length)});
    keepSelect($("header-row"), headerOptions(read));
    keepSelect($("address-column"), columnOptions(read.columns, addressAuto(read.found)));
    keepSelect($("name-column"), columnOptions(read.columns, read.found.name ? null : {value: "", text: t("app_none")}));
    keepSelect($("category-column"), columnOptions(read.columns, read.found.category ? null : {value: "", text: t("app_none")}));
    keepSelect($("value-column"), columnOptions(read.columns, {value: "", text: t("app_none")}));
    const note = $("personal-note");
    note.textContent = read.personal.length ? t("app_personal_note", {columns: read.personal.join(state.lang === "ja" ? "、" : ", ")}) : "";
    note.hidden = !read.personal.length;
  }

  function keepSelect(select, options) {
    fillSelect(select, options, select.value);
  }

  function showRead(answer, headerChoice) {
    state.job = answer.job;
    const read = answer.read;
    state.read = read;
    $("file-info").hidden = false;
    // reading controls
    const sheets = read.sheets || [];
    fillSelect($("sheet"), sheets.map((name) => ({value: name, text: name})), read.sheet || "");
    $("sheet-label").hidden = sheets.length < 2;
    $("encoding-label").hidden = Boolean(read.workbook);
    fillSelect($("header-row"), headerOptions(read), headerChoice || "");
    $("read-controls").hidden = false;
    // preview
    fillTable($("preview"), read.columns, read.preview);
    $("preview-box").hidden = false;
    // columns, as geomap render would choose them
    fillSelect($("address-column"), columnOptions(read.columns, addressAuto(read.found)), "");
    fillSelect($("name-column"), columnOptions(read.columns, read.found.name ? null : {value: "", text: t("app_none")}),
      read.found.name ? "c:" + read.found.name : "");
    fillSelect($("category-column"), columnOptions(read.columns, read.found.category ? null : {value: "", text: t("app_none")}),
      read.found.category ? "c:" + read.found.category : "");
    fillSelect($("value-column"), columnOptions(read.columns, {value: "", text: t("app_none")}), "");
    // options: a list of persons hides small counts and points by default
    const personal = read.personal.length > 0;
    $("use-min-count").checked = personal;
    $("min-count").value = String(read.min_count);
    $("min-count").disabled = !personal;
    $("points").checked = !personal;
    $("title").value = read.title;
    showReadTexts(read);
    $("step-columns").hidden = false;
    $("step-options").hidden = false;
    $("step-result").hidden = true;
  }

  // -- the map ---------------------------------------------------------------------------

  function chosen(id) {
    const value = $(id).value;
    return value.startsWith("c:") ? value.slice(2) : null;
  }

  function renderOptions() {
    return {
      sheet: $("sheet-label").hidden ? (state.read && state.read.sheet) || "" : $("sheet").value,
      header_row: $("header-row").value,
      encoding: $("encoding-label").hidden ? "" : $("encoding").value,
      address_column: chosen("address-column"),
      name: chosen("name-column"),
      category: chosen("category-column"),
      value: chosen("value-column"),
      agg: $("agg").value,
      by: $("by").value,
      pref: $("pref").value,
      city: $("city").value,
      min_count: $("use-min-count").checked ? $("min-count").value : null,
      points: $("points").checked,
      title: $("title").value,
    };
  }

  async function makeMap() {
    if (!state.job || state.busy) {
      return;
    }
    clearError();
    state.busy = true;
    $("make").disabled = true;
    try {
      const answer = await post("/api/jobs/" + encodeURIComponent(state.job) + "/render", renderOptions());
      state.run = answer.run;
      showProgress({state: "queued", done: 0, total: 0});
      startPolling();
    } catch (e) {
      showError(e.message);
      state.busy = false;
      $("make").disabled = false;
    }
  }

  function startPolling() {
    stopPolling();
    state.poll = setTimeout(pollOnce, POLL_MS);
  }

  function stopPolling() {
    if (state.poll) {
      clearTimeout(state.poll);
      state.poll = null;
    }
  }

  async function pollOnce() {
    state.poll = null;
    if (!state.job) {
      return;
    }
    let status;
    try {
      status = await request("/api/jobs/" + encodeURIComponent(state.job) + "/status?lang=" + state.lang);
    } catch (e) {
      finish();
      showError(e.message);
      return;
    }
    if (status.run !== state.run) {
      return;
    }
    showProgress(status);
    if (status.state === "done" || status.state === "error") {
      finish();
      showResult(status);
    } else {
      state.poll = setTimeout(pollOnce, POLL_MS);
    }
  }

  function finish() {
    state.busy = false;
    $("make").disabled = false;
  }

  function showProgress(status) {
    const bar = $("progress");
    const text = $("progress-text");
    $("progress-box").hidden = false;
    if (status.state === "geocoding" && status.total > 0) {
      bar.max = status.total;
      bar.value = status.done;
      text.textContent = t("app_state_geocoding", {done: number(status.done), total: number(status.total)});
    } else if (status.state === "done") {
      bar.max = 1;
      bar.value = 1;
      text.textContent = t("app_state_done");
    } else if (status.state === "error") {
      $("progress-box").hidden = true;
    } else {
      bar.removeAttribute("value");  // indeterminate
      text.textContent = t("app_state_" + status.state);
    }
    bar.dataset.state = status.state;
  }

  function fileUrl(kind) {
    return "/jobs/" + encodeURIComponent(state.job) + "/files/" + kind + "?run=" + state.run;
  }

  function showResult(status) {
    const result = status.result || {summary: [], files: [], unmatched: null, map: false};
    if (status.error) {
      showError(status.error);
    }
    const summary = $("summary");
    summary.replaceChildren();
    for (const line of result.summary) {
      const li = document.createElement("li");
      li.textContent = line;
      summary.appendChild(li);
    }
    for (const kind of ["html", "png", "csv", "unmatched"]) {
      const link = $("download-" + kind);
      const present = result.files.includes(kind);
      link.hidden = !present;
      link.parentElement.hidden = !present;
      if (present) {
        link.href = fileUrl(kind);
      } else {
        link.removeAttribute("href");
      }
    }
    $("downloads-box").hidden = result.files.length === 0;
    const frame = $("map");
    if (result.map) {
      frame.src = "/jobs/" + encodeURIComponent(state.job) + "/map?run=" + state.run;
      frame.hidden = false;
    } else {
      frame.removeAttribute("src");
      frame.hidden = true;
    }
    const unmatched = result.unmatched;
    if (unmatched && unmatched.rows.length) {
      fillTable($("unmatched"), unmatched.columns, unmatched.rows);
      $("unmatched-more").textContent = unmatched.more ? t("app_unmatched_more", {count: number(unmatched.more)}) : "";
      $("unmatched-more").hidden = !unmatched.more;
      $("unmatched-box").hidden = false;
    } else {
      $("unmatched-box").hidden = true;
    }
    $("step-result").hidden = !(result.map || result.files.length || (unmatched && unmatched.rows.length));
    if (!$("step-result").hidden && result.map) {
      $("step-result").scrollIntoView({block: "start"});
    }
  }

  // -- keeping the job, closing it, quitting ----------------------------------------------

  async function keepalive() {
    if (state.job && !state.poll) {
      try {
        await request("/api/jobs/" + encodeURIComponent(state.job) + "/status");
      } catch (e) {
        // shown when the user next acts
      }
    }
  }

  function closeOnLeave() {
    if (state.job && navigator.sendBeacon) {
      navigator.sendBeacon("/api/jobs/" + encodeURIComponent(state.job) + "/close");
      state.job = null;
    }
  }

  async function quit() {
    closeOnLeave();
    try {
      await post("/api/quit");
    } catch (e) {
      // stopping anyway
    }
    stopPolling();
    $("main").hidden = true;
    document.querySelector(".top-controls").hidden = true;
    $("stopped").hidden = false;
  }

  // -- wiring --------------------------------------------------------------------------------

  function setup() {
    $("lang").value = state.lang;
    $("lang").addEventListener("change", () => {
      state.lang = $("lang").value === "en" ? "en" : "ja";
      applyTexts();
    });
    $("file").addEventListener("change", () => {
      const file = $("file").files[0];
      $("file").value = "";
      upload(file);
    });
    const drop = $("drop");
    for (const type of ["dragenter", "dragover"]) {
      drop.addEventListener(type, (e) => {
        e.preventDefault();
        drop.classList.add("over");
      });
    }
    drop.addEventListener("dragleave", () => drop.classList.remove("over"));
    drop.addEventListener("drop", (e) => {
      e.preventDefault();
      drop.classList.remove("over");
      const files = e.dataTransfer && e.dataTransfer.files;
      if (files && files.length) {
        upload(files[0]);
      }
    });
    // A file dropped next to the zone is not opened by the browser in place of the page.
    window.addEventListener("dragover", (e) => e.preventDefault());
    window.addEventListener("drop", (e) => e.preventDefault());
    $("sheet").addEventListener("change", () => reread("sheet"));
    $("header-row").addEventListener("change", () => reread("header"));
    $("encoding").addEventListener("change", () => reread("encoding"));
    $("use-min-count").addEventListener("change", () => { $("min-count").disabled = !$("use-min-count").checked; });
    $("make").addEventListener("click", makeMap);
    $("quit").addEventListener("click", quit);
    window.addEventListener("pagehide", closeOnLeave);
    state.keepalive = setInterval(keepalive, KEEPALIVE_MS);
    applyTexts();
    document.body.dataset.ready = "1";
  }

  setup();
})();
