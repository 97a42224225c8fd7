// The video page's panels for the analyses that are lists more than lanes: moderation flags, text on
// screen, and shots with technical cues. Loaded before app.js, whose helpers (h, clock, nearest,
// download) they use when called. Each panel has `element`, `timestamps` and `seek(ms)`: the page's
// one time moves them with the timelines.
"use strict";

function percent(value) {
  return `${(value || 0).toFixed(1)}%`;
}

// A time that moves the whole page there.
function timeButton(ms, onScrub, label) {
  return h("button", { class: "time", type: "button", "data-ms": ms, onclick: () => onScrub(ms) }, label || clock(ms));
}

// Rows whose time is the page's nearest sampled instant are marked current.
function markCurrent(rows, timestamps, ms) {
  const instant = timestamps.length ? nearest(timestamps, ms) : null;
  for (const row of rows) row.classList.toggle("current", Number(row.dataset.ms) === instant);
}

// ---- moderation: every flag, with its parent and taxonomy level, filtered by confidence -----------

class ModerationPanel {
  constructor(video, detections, duration, onScrub) {
    this.timestamps = [...new Set(detections.map((d) => d.timestamp_ms))].sort((a, b) => a - b);
    this.rows = detections.map((detection) => {
      const flag = detection.data.ModerationLabel || {};
      const row = h(
        "tr",
        { "data-ms": detection.timestamp_ms, "data-confidence": flag.Confidence || 0 },
        h("td", {}, timeButton(detection.timestamp_ms, onScrub)),
        h("td", {}, h("a", { href: appearancesHash("moderation", flag.Name), class: "identity-link" }, flag.Name)),
        h("td", {}, flag.ParentName || h("span", { class: "muted" }, "– (top level)")),
        h("td", { class: "level" }, flag.TaxonomyLevel ? `L${flag.TaxonomyLevel}` : "–"),
        h("td", { class: "confidence" }, percent(flag.Confidence)),
      );
      return row;
    });
    const lowest = Math.floor(Math.min(...detections.map((d) => (d.data.ModerationLabel || {}).Confidence || 0)));
    this.count = h("span", { class: "muted filter-count" });
    this.slider = h("input", {
      type: "range", min: 0, max: 100, step: 1, value: lowest, "aria-label": "Minimum confidence",
      oninput: (event) => this.filter(Number(event.target.value)),
    });
    this.number = h("input", {
      type: "number", min: 0, max: 100, step: 1, value: lowest, class: "confidence-input", "aria-label": "Minimum confidence (number)",
      oninput: (event) => this.filter(Number(event.target.value)),
    });
    this.element = h(
      "div",
      { class: "moderation" },
      h("label", { class: "filter" }, "Minimum confidence ", this.slider, this.number, "% ", this.count),
      h("table", { class: "flags" },
        h("thead", {}, h("tr", {}, ["Time", "Flag", "Parent", "Level", "Confidence"].map((t) => h("th", {}, t)))),
        h("tbody", {}, this.rows)),
    );
    this.filter(lowest);
  }

  filter(minimum) {
    const threshold = Number.isFinite(minimum) ? Math.min(Math.max(minimum, 0), 100) : 0;
    this.slider.value = String(threshold);
    if (Number(this.number.value) !== threshold) this.number.value = String(threshold);
    let shown = 0;
    for (const row of this.rows) {
      const keep = Number(row.dataset.confidence) >= threshold;
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    this.count.textContent = `${shown} of ${this.rows.length} flags at ${threshold}% or more`;
  }

  seek(ms) {
    markCurrent(this.rows, this.timestamps, ms);
  }
}

// ---- text: lines and words, searchable; each occurrence a time to jump to --------------------------

class TextPanel {
  constructor(video, detections, duration, onScrub) {
    this.timestamps = [...new Set(detections.map((d) => d.timestamp_ms))].sort((a, b) => a - b);
    // One row per distinct text of each type, with every time it is on screen.
    const byText = new Map();
    for (const detection of detections) {
      const found = detection.data.TextDetection || {};
      const key = `${found.Type}\u0000${found.DetectedText}`;
      if (!byText.has(key)) byText.set(key, { type: found.Type, text: found.DetectedText || "", times: [], confidence: 0 });
      const entry = byText.get(key);
      entry.times.push(detection.timestamp_ms);
      entry.confidence = Math.max(entry.confidence, found.Confidence || 0);
    }
    this.entries = [...byText.values()].sort((a, b) => a.times[0] - b.times[0] || a.type.localeCompare(b.type));
    this.rows = this.entries.map((entry) => {
      const times = [...new Set(entry.times)].sort((a, b) => a - b);
      return h(
        "li",
        { class: "text-row", "data-type": entry.type, "data-text": entry.text.toLowerCase(), "data-times": times.join(" ") },
        h("span", { class: `text-type ${entry.type}` }, entry.type === "WORD" ? "word" : "line"),
        h("span", { class: "detected" }, entry.text),
        h("span", { class: "muted" }, ` ${percent(entry.confidence)}`),
        h("span", { class: "times" }, times.map((time) => timeButton(time, onScrub))),
      );
    });
    this.search = h("input", { type: "search", placeholder: "Search text on screen", "aria-label": "Search text", oninput: () => this.filter() });
    this.kind = h(
      "select",
      { "aria-label": "Lines or words", onchange: () => this.filter() },
      h("option", { value: "LINE" }, "lines"),
      h("option", { value: "WORD" }, "words"),
      h("option", { value: "" }, "lines and words"),
    );
    this.count = h("span", { class: "muted filter-count" });
    this.empty = h("p", { class: "notice", hidden: true }, "No text matches the search.");
    this.element = h("div", { class: "text-search" }, h("div", { class: "filter" }, this.search, this.kind, this.count), h("ul", { class: "texts" }, this.rows), this.empty);
    this.filter();
  }

  filter() {
    const wanted = this.search.value.trim().toLowerCase();
    const type = this.kind.value;
    let shown = 0;
    for (const row of this.rows) {
      const keep = (!type || row.dataset.type === type) && row.dataset.text.includes(wanted);
      row.hidden = !keep;
      shown += keep ? 1 : 0;
    }
    this.count.textContent = `${shown} of ${this.rows.length}`;
    this.empty.hidden = shown > 0;
  }

  seek(ms) {
    const instant = this.timestamps.length ? String(nearest(this.timestamps, ms)) : null;
    for (const row of this.rows) row.classList.toggle("current", row.dataset.times.split(" ").includes(instant));
  }
}

// ---- shots and technical cues, with the exports ------------------------------------------------------

// Each shot's thumbnail is its middle frame, drawn in the browser from the video itself, which the
// read API links to (a presigned URL that lasts minutes); nothing is stored or sent anywhere.
const THUMB_WIDTH = 192;
const THUMB_HEIGHT = 108;
const SEEK_TIMEOUT_MS = 10000;

// Resolves when `element` fires `ready`; rejects on its `error` or after `timeout` ms.
function eventOf(element, ready, timeout) {
  return new Promise((resolve, reject) => {
    const done = (settle) => (value) => {
      clearTimeout(timer);
      element.removeEventListener(ready, onReady);
      element.removeEventListener("error", onError);
      settle(value);
    };
    const onReady = done(resolve);
    const onError = done(() => reject(new Error(element.error ? `the browser cannot play it (${element.error.message || `code ${element.error.code}`})` : "it could not be loaded")));
    const timer = setTimeout(done(() => reject(new Error(`no frame within ${timeout / 1000} s`))), timeout);
    element.addEventListener(ready, onReady);
    element.addEventListener("error", onError);
  });
}

// Draws each shot's middle frame into its canvas, one seek after another on one hidden <video>.
async function drawThumbnails(video, shots, canvases, status) {
  status.textContent = "Thumbnails: loading the video…";
  try {
    const link = await api(`/videos/${video.video_id}/media`);
    const player = document.createElement("video");
    player.muted = true;
    player.preload = "auto";
    const loaded = eventOf(player, "loadeddata", SEEK_TIMEOUT_MS);
    player.src = link.url;
    await loaded;
    for (const [index, shot] of shots.entries()) {
      const middle = (shot.StartTimestampMillis + shot.EndTimestampMillis) / 2;
      const seeked = eventOf(player, "seeked", SEEK_TIMEOUT_MS);
      player.currentTime = Math.min(middle / 1000, Math.max(player.duration - 0.001, 0));
      await seeked;
      const canvas = canvases[index];
      const scale = Math.min(THUMB_WIDTH / player.videoWidth, THUMB_HEIGHT / player.videoHeight);
      const [width, height] = [player.videoWidth * scale, player.videoHeight * scale];
      canvas.getContext("2d").drawImage(player, (THUMB_WIDTH - width) / 2, (THUMB_HEIGHT - height) / 2, width, height);
      canvas.classList.remove("placeholder");
      canvas.dataset.frameMs = String(Math.round(middle));
    }
    player.removeAttribute("src");
    player.load();
    status.textContent = "Thumbnails: each shot's middle frame, drawn from the video in this browser.";
  } catch (error) {
    status.textContent = `No thumbnails: ${error.message}.`;
    status.classList.add("error");
  }
}

// CMX 3600 holds at most 999 events: longer lists are exported in parts (the read API's `part`).
const EDL_EVENT_LIMIT = 999;

class SegmentsPanel {
  constructor(video, detections, duration, onScrub) {
    const segments = detections.map((d) => d.data).sort((a, b) => a.StartTimestampMillis - b.StartTimestampMillis);
    this.timestamps = [...new Set(segments.map((s) => s.StartTimestampMillis))].sort((a, b) => a - b);
    this.duration = Math.max(duration, 1);
    const shots = segments.filter((s) => s.Type === "SHOT");
    const cues = segments.filter((s) => s.Type === "TECHNICAL_CUE");
    const canvases = shots.map((shot) => h("canvas", {
      class: "thumb placeholder", width: THUMB_WIDTH, height: THUMB_HEIGHT, role: "img",
      "aria-label": `Shot ${shot.ShotSegment.Index}, its middle frame`,
    }));
    this.shotRows = shots.map((shot, index) => this.row(shot, onScrub, [
      h("td", { class: "thumb-cell" }, canvases[index]),
      h("td", {}, `#${shot.ShotSegment.Index}`),
    ]));
    this.cueRows = cues.map((cue) => this.row(cue, onScrub, [h("td", {}, cue.TechnicalCueSegment.Type)]));
    this.rows = [...this.shotRows, ...this.cueRows];
    this.playhead = h("span", { class: "playhead" });
    const strip = h("div", { class: "shot-strip", "aria-label": "Shots along the video" },
      shots.map((shot, index) => h("span", {
        class: `shot-block ${index % 2 ? "odd" : "even"}`,
        title: `Shot ${shot.ShotSegment.Index}: ${shot.StartTimecodeSMPTE} – ${shot.EndTimecodeSMPTE}`,
        style: { left: `${(100 * shot.StartTimestampMillis) / this.duration}%`, width: `${Math.max((100 * (shot.EndTimestampMillis - shot.StartTimestampMillis)) / this.duration, 0.3)}%` },
        onclick: () => onScrub(shot.StartTimestampMillis),
      })),
      this.playhead);
    const headings = ["Time", "Start", "End", "Duration", "Frames", "Confidence"];
    const thumbStatus = h("p", { class: "muted thumb-note", role: "status" });
    if (shots.length) drawThumbnails(video, shots, canvases, thumbStatus);
    this.element = h(
      "div",
      { class: "segments" },
      this.exports(video, shots.length, cues.length),
      strip,
      thumbStatus,
      h("h3", {}, `Shots (${shots.length})`),
      h("table", { class: "shots" },
        h("thead", {}, h("tr", {}, ["Thumbnail", "Shot", ...headings].map((t) => h("th", {}, t)))),
        h("tbody", {}, this.shotRows)),
      cues.length ? [
        h("h3", {}, `Technical cues (${cues.length})`),
        h("table", { class: "cues" },
          h("thead", {}, h("tr", {}, ["Cue", ...headings].map((t) => h("th", {}, t)))),
          h("tbody", {}, this.cueRows)),
      ] : h("p", { class: "muted" }, "No technical cues."),
    );
  }

  row(segment, onScrub, leading) {
    const confidence = (segment.ShotSegment || segment.TechnicalCueSegment || {}).Confidence;
    return h(
      "tr",
      { "data-ms": segment.StartTimestampMillis, "data-end": segment.EndTimestampMillis },
      leading,
      h("td", {}, timeButton(segment.StartTimestampMillis, onScrub)),
      h("td", { class: "timecode" }, segment.StartTimecodeSMPTE),
      h("td", { class: "timecode" }, segment.EndTimecodeSMPTE),
      h("td", { class: "timecode" }, segment.DurationSMPTE, h("div", { class: "muted" }, `${segment.DurationFrames} frames`)),
      h("td", {}, `${segment.StartFrameNumber}–${segment.EndFrameNumber}`),
      h("td", {}, percent(confidence)),
    );
  }

  // Buttons that save the read API's export files: CSV of everything, an EDL of shots (in parts past
  // 999 events) and one of technical cues.
  exports(video, shots, cues) {
    const path = `/videos/${video.video_id}`;
    const stem = video.key.split("/").pop().replace(/\.[^.]*$/, "");
    const status = h("span", { class: "muted export-status", role: "status" });
    const save = (file, parameters, name) => async () => {
      status.textContent = `Preparing ${name}…`;
      try {
        await download(`${path}/${file}`, parameters, name);
        status.textContent = `Saved ${name}`;
      } catch (error) {
        status.textContent = `Export failed: ${error.message}`;
      }
    };
    const parts = Math.max(1, Math.ceil(shots / EDL_EVENT_LIMIT));
    const shotButtons = Array.from({ length: parts }, (_, index) => {
      const part = index + 1;
      const label = parts > 1 ? `EDL of shots, part ${part} of ${parts}` : "EDL of shots (CMX 3600)";
      const name = `${stem}-shots${parts > 1 ? `-part${part}` : ""}.edl`;
      return h("button", { type: "button", class: "export", "data-export": `shots-edl-${part}`, onclick: save("segments.edl", { segment_type: "SHOT", part }, name) }, label);
    });
    return h(
      "div",
      { class: "exports" },
      h("span", {}, "Export: "),
      h("button", { type: "button", class: "export", "data-export": "csv", onclick: save("segments.csv", {}, `${stem}-segments.csv`) }, "CSV of shots and cues"),
      shotButtons,
      cues ? h("button", { type: "button", class: "export", "data-export": "cues-edl", onclick: save("segments.edl", { segment_type: "TECHNICAL_CUE" }, `${stem}-cues.edl`) }, "EDL of technical cues") : null,
      status,
    );
  }

  seek(ms) {
    const time = Math.min(Math.max(ms, 0), this.duration);
    this.playhead.style.left = `${(100 * time) / this.duration}%`;
    // The segments under the playhead are current (shots and cues span time, unlike sampled detections).
    for (const row of this.rows) {
      const start = Number(row.dataset.ms);
      const end = Number(row.dataset.end);
      row.classList.toggle("current", start <= time && time <= end);
    }
  }
}

// The analyses whose panels are these; the others are timelines (app.js's KINDS).
const PANELS = { moderation: ModerationPanel, text: TextPanel, segments: SegmentsPanel };
