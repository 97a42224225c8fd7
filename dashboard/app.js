// The results dashboard: plain JavaScript, no build step. It reads config.json (written by the stack,
// or served by `make dashboard`) for the API URL and, in a deployment, the Cognito sign-in settings.
"use strict";

const ANALYSES = ["faces", "celebrities", "persons"];
const TITLES = {
  faces: "Faces",
  celebrities: "Celebrities",
  persons: "Person tracks",
  labels: "Labels",
  moderation: "Moderation flags",
  text: "Text on screen",
  segments: "Shots and cues",
  face_search: "Face search matches",
};
// What an analysis' distinct entities are called in its header ("12 distinct labels").
const DISTINCT = { celebrities: "celebrities", persons: "people", labels: "labels", moderation: "categories", face_search: "people" };
// A video page loads at most this many detections per analysis; the timeline says when it stopped.
const MAX_DETECTIONS = 5000;
const view = () => document.getElementById("view");
let config = null;

// ---- DOM helpers: text always goes in as text, never as HTML --------------------------------------

function h(tag, attributes, ...children) {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes || {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith("on")) element.addEventListener(name.slice(2), value);
    else if (name === "style") Object.assign(element.style, value);
    else element.setAttribute(name, value === true ? "" : String(value));
  }
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    element.append(child instanceof Node ? child : document.createTextNode(String(child)));
  }
  return element;
}

function show(...children) {
  view().replaceChildren(...children.flat(Infinity).filter((child) => child !== null && child !== undefined && child !== false));
}

function badge(status) {
  return h("span", { class: `badge ${status}`, "data-status": status }, status.replace("_", " ").toLowerCase());
}

function clock(ms) {
  const seconds = ms / 1000;
  const minutes = Math.floor(seconds / 60);
  return `${minutes}:${(seconds - minutes * 60).toFixed(1).padStart(4, "0")}`;
}

function bytes(size) {
  const units = ["B", "KB", "MB", "GB"];
  let value = size;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  return `${value.toFixed(unit ? 1 : 0)} ${units[unit]}`;
}

function when(iso) {
  return iso ? new Date(iso).toLocaleString() : "";
}

// ---- authentication (Cognito hosted UI, authorization code with PKCE) -----------------------------

const auth = {
  token() {
    const expires = Number(sessionStorage.getItem("expires_at") || 0);
    return Date.now() < expires ? sessionStorage.getItem("access_token") : null;
  },
  async signIn() {
    const verifier = randomText(64);
    sessionStorage.setItem("pkce_verifier", verifier);
    sessionStorage.setItem("after_sign_in", location.hash);
    const challenge = await sha256Base64Url(verifier);
    const query = new URLSearchParams({
      response_type: "code",
      client_id: config.auth.clientId,
      redirect_uri: config.auth.redirectUri,
      scope: "openid email",
      code_challenge_method: "S256",
      code_challenge: challenge,
    });
    location.assign(`${config.auth.domain}/oauth2/authorize?${query}`);
  },
  signOut() {
    sessionStorage.clear();
    const query = new URLSearchParams({ client_id: config.auth.clientId, logout_uri: config.auth.redirectUri });
    location.assign(`${config.auth.domain}/logout?${query}`);
  },
  async completeSignIn() {
    const code = new URLSearchParams(location.search).get("code");
    if (!code) return;
    const response = await fetch(`${config.auth.domain}/oauth2/token`, {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams({
        grant_type: "authorization_code",
        client_id: config.auth.clientId,
        redirect_uri: config.auth.redirectUri,
        code,
        code_verifier: sessionStorage.getItem("pkce_verifier") || "",
      }),
    });
    if (!response.ok) throw new Error(`sign-in failed (${response.status})`);
    const tokens = await response.json();
    sessionStorage.setItem("access_token", tokens.access_token);
    sessionStorage.setItem("expires_at", String(Date.now() + (tokens.expires_in - 60) * 1000));
    const target = sessionStorage.getItem("after_sign_in") || "#/";
    history.replaceState(null, "", `${location.pathname}${target}`);
  },
};

function randomText(length) {
  const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~";
  return Array.from(crypto.getRandomValues(new Uint8Array(length)), (n) => alphabet[n % alphabet.length]).join("");
}

async function sha256Base64Url(text) {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return btoa(String.fromCharCode(...new Uint8Array(digest))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

function renderAccount() {
  const slot = document.getElementById("account");
  if (!config.auth) {
    slot.replaceChildren(h("span", { class: "muted" }, "local (no sign-in)"));
  } else if (auth.token()) {
    slot.replaceChildren(h("button", { onclick: () => auth.signOut() }, "Sign out"));
  } else {
    slot.replaceChildren(h("button", { onclick: () => auth.signIn() }, "Sign in"));
  }
}

// ---- the read API ---------------------------------------------------------------------------------

class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.status = status;
  }
}

// A GET of the read API with the signed-in user's token; an answer other than 2xx is an ApiError.
async function request(path, parameters = {}) {
  const query = new URLSearchParams();
  for (const [name, value] of Object.entries(parameters)) if (value !== null && value !== undefined) query.set(name, value);
  const url = `${config.apiUrl.replace(/\/$/, "")}${path}${query.size ? `?${query}` : ""}`;
  const headers = {};
  if (config.auth) {
    const token = auth.token();
    if (!token) throw new ApiError(401, "Sign in to see the results.");
    headers.Authorization = `Bearer ${token}`;
  }
  const response = await fetch(url, { headers });
  if (!response.ok) {
    const body = await response.json().catch(() => ({}));
    const detail = (body.detail || []).map((item) => `${item.loc.join(".")}: ${item.msg}`).join("; ");
    throw new ApiError(response.status, body.message || detail || `the API answered ${response.status}`);
  }
  return response;
}

async function api(path, parameters = {}) {
  return (await request(path, parameters)).json();
}

// Save a file the API makes (an export). Fetched, not linked, because the API wants the bearer token.
async function download(path, parameters, fallbackName) {
  const response = await request(path, parameters);
  const disposition = response.headers.get("Content-Disposition") || "";
  const name = (disposition.match(/filename="([^"]+)"/) || [])[1] || fallbackName;
  const url = URL.createObjectURL(await response.blob());
  const link = h("a", { href: url, download: name, hidden: true });
  document.body.append(link);
  link.click();
  link.remove();
  setTimeout(() => URL.revokeObjectURL(url), 60000);
}

async function allPages(path, parameters, cap) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(path, { ...parameters, cursor });
    items.push(...page.items);
    cursor = page.cursor;
  } while (cursor && items.length < cap);
  return { items, truncated: Boolean(cursor) };
}

function failure(error) {
  const message = error instanceof ApiError && error.status === 404 ? `Not found: ${error.message}` : error.message;
  return h("p", { class: "notice error", role: "alert" }, message);
}

// ---- videos list ----------------------------------------------------------------------------------

function analysisCell(job) {
  if (!job) return h("td", {}, h("span", { class: "muted" }, "–"));
  const note = job.status === "SUCCEEDED" ? `${job.detection_count} detections` : job.error_code || job.status_message || "";
  return h("td", { "data-analysis": job.analysis }, badge(job.status), h("div", { class: "muted" }, note));
}

function videoRow(video, columns) {
  const jobs = Object.fromEntries(video.analyses.map((job) => [job.analysis, job]));
  const share = video.progress.total ? (100 * video.progress.finished) / video.progress.total : 0;
  return h(
    "tr",
    { "data-video-id": video.video_id },
    h("td", {}, h("a", { href: `#/videos/${video.video_id}`, class: "video-link" }, video.key)),
    h("td", {}, when(video.uploaded_at)),
    h("td", {}, bytes(video.size)),
    h(
      "td",
      {},
      h("span", { class: "progress", title: `${video.progress.finished} of ${video.progress.total} analyses finished` },
        h("span", { style: { width: `${share}%` } })),
      ` ${video.progress.finished}/${video.progress.total}`,
    ),
    columns.map((name) => analysisCell(jobs[name])),
  );
}

// The list's analysis columns: the default analyses, and any other the first page's videos have.
function analysisColumns(videos) {
  const seen = new Set(videos.flatMap((video) => video.analyses.map((job) => job.analysis)));
  const known = Object.keys(TITLES);
  const others = [...seen].filter((name) => !ANALYSES.includes(name));
  others.sort((a, b) => (known.indexOf(a) + 1 || known.length + 1) - (known.indexOf(b) + 1 || known.length + 1));
  return [...ANALYSES, ...others];
}

async function videosPage() {
  const rows = h("tbody");
  const more = h("button", { class: "more", hidden: true }, "Load more");
  let columns = ANALYSES;
  let cursor = null;
  const load = async () => {
    const page = await api("/videos", { limit: 25, cursor });
    if (!cursor) columns = analysisColumns(page.items);
    rows.append(...page.items.map((video) => videoRow(video, columns)));
    cursor = page.cursor;
    more.hidden = !cursor;
    return page;
  };
  more.addEventListener("click", () => load().catch((error) => more.replaceWith(failure(error))));
  const first = await load();
  if (!first.items.length) {
    show(h("h1", {}, "Videos"), h("p", { class: "notice", id: "empty" }, "No videos yet. Upload a video to the input bucket and it appears here."));
    return;
  }
  const table = h(
    "table",
    { id: "videos" },
    h("thead", {}, h("tr", {}, ["Video", "Uploaded", "Size", "Progress", ...columns.map((n) => TITLES[n] || n)].map((t) => h("th", {}, t)))),
    rows,
  );
  show(h("h1", {}, "Videos"), table, more);
}

// ---- one video ------------------------------------------------------------------------------------

function facts(video) {
  const meta = video.metadata || {};
  const rows = [
    ["Video id", video.video_id],
    ["Object", `s3://${video.bucket}/${video.key}`],
    ["Uploaded", when(video.uploaded_at)],
    ["Size", bytes(video.size)],
    ["Duration", meta.duration_ms ? clock(meta.duration_ms) : "unknown until an analysis finishes"],
    ["Frame", meta.width ? `${meta.width}×${meta.height} at ${meta.frame_rate} fps, ${meta.codec || "?"} / ${meta.format || "?"}` : "–"],
    ["Progress", `${video.progress.finished} of ${video.progress.total} analyses finished`],
  ];
  return h("dl", { class: "facts" }, rows.map(([term, value]) => [h("dt", {}, term), h("dd", {}, value)]));
}

// Which lane a detection belongs to, and how to describe it.
const KINDS = {
  faces: {
    lane: () => "faces",
    laneName: () => "Faces",
    describe(detection) {
      const face = detection.data.Face || {};
      const age = face.AgeRange ? `, age ${face.AgeRange.Low}–${face.AgeRange.High}` : "";
      const emotion = (face.Emotions || []).slice().sort((a, b) => b.Confidence - a.Confidence)[0];
      const mood = emotion ? `, looks ${emotion.Type.toLowerCase()}` : "";
      return [`Face (${(face.Confidence || 0).toFixed(1)}% confident${age}${mood})`, box(face.BoundingBox)];
    },
  },
  celebrities: {
    lane: (detection) => detection.data.Celebrity.Id,
    laneName: (detection) => detection.data.Celebrity.Name,
    describe(detection) {
      const celebrity = detection.data.Celebrity;
      return [
        h("a", { href: `#/celebrities/${celebrity.Id}`, class: "celebrity-link", "data-celebrity-id": celebrity.Id }, celebrity.Name),
        ` (${(celebrity.Confidence || 0).toFixed(1)}% match)`,
        box((celebrity.Face || {}).BoundingBox),
        " · ",
        h("a", { href: `#/celebrities/${celebrity.Id}` }, "all appearances →"),
      ];
    },
  },
  persons: {
    lane: (detection) => String(detection.data.Person.Index),
    laneName: (detection) => `Person ${detection.data.Person.Index}`,
    describe(detection) {
      return [`Person ${detection.data.Person.Index}`, box(detection.data.Person.BoundingBox)];
    },
  },
  // One row per label name, drawn as the spans it is seen in; the name links to its appearances.
  labels: {
    lane: (detection) => detection.data.Label.Name,
    laneName: (detection) => detection.data.Label.Name,
    laneLink: (name) => appearancesHash("labels", name),
    spans: true,
    describe(detection) {
      const label = detection.data.Label;
      const parents = (label.Parents || []).map((parent) => parent.Name).join(", ");
      const instances = (label.Instances || []).length;
      return [
        h("a", { href: appearancesHash("labels", label.Name), class: "identity-link" }, label.Name),
        ` (${(label.Confidence || 0).toFixed(1)}% confident`,
        instances ? `, ${instances} instance${instances === 1 ? "" : "s"}` : "",
        ")",
        parents ? h("span", { class: "muted" }, ` · in ${parents}`) : "",
      ];
    },
  },
  // GetFaceSearch's Persons: a row per indexed face (its ExternalImageId), like celebrities.
  face_search: {
    lane: (detection) => bestMatch(detection).ExternalImageId || "unnamed face",
    laneName: (detection) => bestMatch(detection).ExternalImageId || "unnamed face",
    laneLink: (name) => appearancesHash("face_search", name),
    describe(detection) {
      const match = bestMatch(detection);
      const name = match.ExternalImageId || "unnamed face";
      return [
        h("a", { href: appearancesHash("face_search", name), class: "identity-link" }, name),
        ` (${(match.Similarity || 0).toFixed(1)}% similar)`,
        box(((detection.data.Person || {}).Face || {}).BoundingBox || (detection.data.Person || {}).BoundingBox),
      ];
    },
  },
};

function bestMatch(detection) {
  const matches = (detection.data.FaceMatches || []).slice().sort((a, b) => (b.Similarity || 0) - (a.Similarity || 0));
  return matches.length ? { Similarity: matches[0].Similarity, ...(matches[0].Face || {}) } : {};
}

function appearancesHash(analysis, identity) {
  return `#/analyses/${analysis}/appearances/${encodeURIComponent(identity)}`;
}

// Sightings as time spans: each from its time to its end (a result aggregated by segments has one),
// joined when less than 1.5 sampling intervals apart.
function spansOf(sightings, interval) {
  const sorted = [...sightings].sort((a, b) => a.start - b.start);
  const spans = [];
  for (const { start, end } of sorted) {
    const last = spans[spans.length - 1];
    if (last && start - last.end <= interval * 1.5) last.end = Math.max(last.end, end);
    else spans.push({ start, end });
  }
  return spans;
}

// The usual gap between an analysis' sampled instants (the median), for joining sightings into spans.
function samplingInterval(timestamps) {
  const gaps = timestamps.slice(1).map((time, index) => time - timestamps[index]).filter((gap) => gap > 0).sort((a, b) => a - b);
  return gaps.length ? gaps[gaps.length >> 1] : 1000;
}

function box(bounds) {
  if (!bounds) return "";
  const percent = (value) => `${Math.round(value * 100)}%`;
  return h("span", { class: "muted" }, ` at ${percent(bounds.Left)}, ${percent(bounds.Top)} size ${percent(bounds.Width)}×${percent(bounds.Height)}`);
}

// The detections shown for time `ms`: those at the nearest sampled instant.
function nearest(timestamps, ms) {
  let low = 0;
  let high = timestamps.length - 1;
  while (low < high) {
    const middle = (low + high) >> 1;
    if (timestamps[middle] < ms) low = middle + 1;
    else high = middle;
  }
  if (low > 0 && Math.abs(timestamps[low - 1] - ms) <= Math.abs(timestamps[low] - ms)) return timestamps[low - 1];
  return timestamps[low];
}

class Timeline {
  constructor(analysis, detections, duration, onScrub) {
    this.analysis = analysis;
    this.kind = KINDS[analysis];
    this.duration = Math.max(duration, 1);
    this.byTime = new Map();
    for (const detection of detections) {
      if (!this.byTime.has(detection.timestamp_ms)) this.byTime.set(detection.timestamp_ms, []);
      this.byTime.get(detection.timestamp_ms).push(detection);
    }
    this.timestamps = [...this.byTime.keys()].sort((a, b) => a - b);
    this.lanes = new Map();
    for (const detection of detections) {
      const lane = this.kind.lane(detection);
      if (!this.lanes.has(lane)) this.lanes.set(lane, { name: this.kind.laneName(detection), times: new Set(), sightings: [] });
      this.lanes.get(lane).times.add(detection.timestamp_ms);
      this.lanes.get(lane).sightings.push({ start: detection.timestamp_ms, end: detection.data.EndTimestampMillis ?? detection.timestamp_ms });
    }
    this.playheads = [];
    this.slider = h("input", {
      type: "range", min: 0, max: this.duration, step: 1, value: 0, "aria-label": `${TITLES[analysis]} time`,
      oninput: (event) => onScrub(Number(event.target.value)),
    });
    this.position = h("span", { class: "muted position" }, clock(0));
    this.details = h("div", { class: "details" });
    this.element = h(
      "div",
      { class: "timeline" },
      [...this.lanes.entries()].map(([key, lane]) => this.laneRow(key, lane, onScrub)),
      h("div", { class: "scrub" }, this.position, this.slider),
      this.details,
    );
  }

  laneRow(key, lane, onScrub) {
    const track = h("div", { class: "track", "data-lane": key });
    if (this.kind.spans) {
      for (const span of spansOf(lane.sightings, samplingInterval(this.timestamps))) {
        const left = (100 * span.start) / this.duration;
        const width = Math.max((100 * (span.end - span.start)) / this.duration, 0.4);
        track.append(h("span", { class: "span", title: `${lane.name}: ${clock(span.start)} – ${clock(span.end)}`, style: { left: `${left}%`, width: `${width}%` } }));
      }
    } else {
      for (const time of lane.times) track.append(h("span", { class: "tick", style: { left: `${(100 * time) / this.duration}%` } }));
    }
    const playhead = h("span", { class: "playhead" });
    this.playheads.push(playhead);
    track.append(playhead);
    track.addEventListener("click", (event) => {
      const rect = track.getBoundingClientRect();
      onScrub(Math.round(((event.clientX - rect.left) / rect.width) * this.duration));
    });
    const name = this.kind.laneLink
      ? h("a", { class: "lane-name identity-link", title: lane.name, href: this.kind.laneLink(lane.name) }, lane.name)
      : h("span", { class: "lane-name", title: lane.name }, lane.name);
    return h("div", { class: "lane" }, name, track);
  }

  seek(ms) {
    const time = Math.min(Math.max(ms, 0), this.duration);
    this.slider.value = String(time);
    this.position.textContent = clock(time);
    for (const playhead of this.playheads) playhead.style.left = `${(100 * time) / this.duration}%`;
    const instant = nearest(this.timestamps, time);
    const here = this.byTime.get(instant) || [];
    this.details.replaceChildren(
      h("div", { class: "muted" }, `${here.length} detection${here.length === 1 ? "" : "s"} at ${clock(instant)}`),
      h("ul", {}, here.map((detection) => h("li", { "data-timestamp": detection.timestamp_ms }, this.kind.describe(detection)))),
    );
  }
}

async function analysisSection(video, job, duration, timelines, onScrub) {
  const section = h("section", { class: "analysis", "data-analysis": job.analysis });
  const header = h("header", {}, h("h2", {}, TITLES[job.analysis] || job.analysis), badge(job.status));
  section.append(header);
  if (job.status === "STARTING" || job.status === "IN_PROGRESS") {
    section.append(h("p", { class: "notice in-progress" }, `Rekognition is still analysing this video (started ${when(job.started_at)}). Reload the page later for results.`));
    return section;
  }
  if (job.status !== "SUCCEEDED") {
    const reason = [job.error_code, job.status_message].filter(Boolean).join(": ") || "no reason given";
    section.append(h("p", { class: "notice error" }, `This analysis failed — ${reason}`));
    return section;
  }
  const entities = DISTINCT[job.analysis] ? `, ${job.entity_count} distinct ${DISTINCT[job.analysis]}` : "";
  header.append(h("span", { class: "muted" }, `${job.detection_count} detections${entities}`));
  if (!job.detection_count) {
    section.append(h("p", { class: "notice empty" }, `Nothing found: no ${(TITLES[job.analysis] || job.analysis).toLowerCase()} in this video.`));
    return section;
  }
  const { items, truncated } = await allPages(`/videos/${video.video_id}/analyses/${job.analysis}/detections`, { limit: 1000 }, MAX_DETECTIONS);
  const length = duration || Math.max(...items.map((d) => d.timestamp_ms));
  const Panel = PANELS[job.analysis];
  const panel = Panel ? new Panel(video, items, length, onScrub) : KINDS[job.analysis] ? new Timeline(job.analysis, items, length, onScrub) : null;
  if (!panel) {
    section.append(h("p", { class: "notice" }, `This dashboard has no view of ${job.analysis} results yet; the read API has them.`));
    return section;
  }
  timelines.push(panel);
  section.append(panel.element);
  if (truncated) section.append(h("p", { class: "muted" }, `Showing the first ${items.length} detections.`));
  return section;
}

async function videoPage(videoId, startAt) {
  const video = await api(`/videos/${videoId}`);
  const duration = (video.metadata || {}).duration_ms || 0;
  const timelines = [];
  // One time for the whole page: scrubbing any timeline moves them all.
  const onScrub = (ms) => timelines.forEach((timeline) => timeline.seek(ms));
  const sections = [];
  for (const job of video.analyses) {
    sections.push(await analysisSection(video, job, duration, timelines, onScrub).catch((error) => failure(error)));
  }
  show(
    h("p", {}, h("a", { href: "#/" }, "← all videos")),
    h("h1", { id: "video-title" }, video.key),
    facts(video),
    video.analyses.length ? sections : h("p", { class: "notice" }, "No analysis has been started for this video."),
  );
  const starts = timelines.map((t) => t.timestamps[0]).filter((time) => time !== undefined);
  const first = starts.length ? Math.min(...starts) : 0;
  onScrub(startAt ?? first);
}

// ---- one celebrity --------------------------------------------------------------------------------

async function celebrityPage(celebrityId) {
  const { items, truncated } = await allPages(`/celebrities/${celebrityId}/appearances`, { limit: 1000 }, MAX_DETECTIONS);
  if (!items.length) {
    show(h("h1", {}, `Celebrity ${celebrityId}`), h("p", { class: "notice", id: "empty" }, "No appearances of this celebrity in any video."));
    return;
  }
  const celebrity = items[0].data.Celebrity;
  const links = (celebrity.Urls || []).map((url) => h("li", {}, h("a", { href: `https://${url.replace(/^https?:\/\//, "")}`, rel: "noopener", target: "_blank" }, url)));
  show(
    h("p", {}, h("a", { href: "#/" }, "← all videos")),
    h("h1", { id: "celebrity-name" }, celebrity.Name),
    h("p", { class: "muted" }, `Rekognition celebrity ${celebrity.Id} · ${summary(items, truncated)}`),
    links.length ? h("ul", {}, links) : null,
    await appearancesTable(items),
  );
}

// What each analysis' identities are, on the page of one identity's appearances.
const IDENTITY_KINDS = { labels: "Label", moderation: "Moderation category", face_search: "Indexed face", celebrities: "Celebrity" };

async function identityPage(analysis, identity) {
  const { items, truncated } = await allPages(`/analyses/${analysis}/appearances/${encodeURIComponent(identity)}`, { limit: 1000 }, MAX_DETECTIONS);
  const kind = IDENTITY_KINDS[analysis] || analysis;
  if (!items.length) {
    show(h("h1", { id: "identity-name" }, identity), h("p", { class: "notice", id: "empty" }, `No appearances of this ${kind.toLowerCase()} in any video.`));
    return;
  }
  show(
    h("p", {}, h("a", { href: "#/" }, "← all videos")),
    h("h1", { id: "identity-name" }, identity),
    h("p", { class: "muted" }, `${kind} · ${summary(items, truncated)}`),
    await appearancesTable(items),
  );
}

function summary(items, truncated) {
  const videos = new Set(items.map((item) => item.video_id)).size;
  return `${items.length} appearance${items.length === 1 ? "" : "s"} in ${videos} video${videos === 1 ? "" : "s"}${truncated ? " (first pages only)" : ""}`;
}

// A row per video an identity appears in, linking to the video at the first appearance.
async function appearancesTable(items) {
  const byVideo = new Map();
  for (const appearance of items) {
    if (!byVideo.has(appearance.video_id)) byVideo.set(appearance.video_id, []);
    byVideo.get(appearance.video_id).push(appearance.timestamp_ms);
  }
  const videos = await Promise.all(
    [...byVideo.keys()].map((id) => api(`/videos/${id}`).catch(() => ({ video_id: id, key: id, uploaded_at: null }))),
  );
  const rows = videos.map((video) => {
    const times = byVideo.get(video.video_id).sort((a, b) => a - b);
    return h(
      "tr",
      { "data-video-id": video.video_id },
      h("td", {}, h("a", { href: `#/videos/${video.video_id}?t=${times[0]}`, class: "video-link" }, video.key)),
      h("td", {}, when(video.uploaded_at)),
      h("td", {}, String(times.length)),
      h("td", {}, `${clock(times[0])} – ${clock(times[times.length - 1])}`),
    );
  });
  return h("table", { id: "appearances" },
    h("thead", {}, h("tr", {}, ["Video", "Uploaded", "Appearances", "Seen"].map((t) => h("th", {}, t)))),
    h("tbody", {}, rows));
}

// ---- routing --------------------------------------------------------------------------------------

async function route() {
  const [path, query] = location.hash.replace(/^#/, "").split("?");
  const parts = (path || "/").split("/").filter(Boolean).map(decodeURIComponent);
  show(h("p", { class: "muted" }, "Loading…"));
  try {
    if (parts[0] === "videos" && parts[1]) {
      const t = new URLSearchParams(query || "").get("t");
      await videoPage(parts[1], t === null ? undefined : Number(t));
    } else if (parts[0] === "celebrities" && parts[1]) {
      await celebrityPage(parts[1]);
    } else if (parts[0] === "analyses" && parts[2] === "appearances" && parts[3]) {
      await identityPage(parts[1], parts[3]);
    } else {
      await videosPage();
    }
  } catch (error) {
    const retry = error instanceof ApiError && error.status === 401 && config.auth ? h("button", { onclick: () => auth.signIn() }, "Sign in") : null;
    show(failure(error), retry);
  }
}

async function start() {
  try {
    config = await (await fetch("config.json", { cache: "no-store" })).json();
    if (config.auth) await auth.completeSignIn();
  } catch (error) {
    show(failure(new Error(`The dashboard is not configured: ${error.message}`)));
    return;
  }
  renderAccount();
  window.addEventListener("hashchange", route);
  await route();
}

start();
