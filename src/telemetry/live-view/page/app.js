// The live view's script. The key the operator types goes only into the Authorization header of
// fetch() calls to /ui/events (never into a URL, a cookie or the page), and is kept in this tab's
// sessionStorage until "Forget the key". EventSource cannot send that header, so the stream is
// read with fetch and a stream reader. Every value shown comes from outside (tool names, reasons,
// server ids): each is set as textContent, never parsed as HTML.
"use strict";

const KEY_ITEM = "flowgate-live-view-key";
const RETRY_MS = [1000, 2000, 5000, 10000];

const byId = (id) => document.getElementById(id);
const status = byId("status");
const form = byId("login");
const keyInput = byId("key");
const errorLine = byId("error");
const view = byId("view");
const forget = byId("forget");

let key = sessionStorage.getItem(KEY_ITEM) ?? "";
let running;
let retries = 0;
let decisions = [];
let lastSeq = 0;
let kept = 200;

function setStatus(text, kind) {
  status.textContent = text;
  status.className = kind ?? "";
}

function cell(text, className) {
  const td = document.createElement("td");
  td.textContent = text;
  if (className) td.className = className;
  return td;
}

function badge(text) {
  const td = document.createElement("td");
  const span = document.createElement("span");
  span.className = `badge ${text}`;
  span.textContent = text;
  td.append(span);
  return td;
}

function lines(items, className) {
  const td = document.createElement("td");
  if (className) td.className = className;
  if (items.length === 0) td.textContent = "none";
  for (const item of items) {
    const div = document.createElement("div");
    div.textContent = item;
    td.append(div);
  }
  return td;
}

function row(cells) {
  const tr = document.createElement("tr");
  tr.append(...cells);
  return tr;
}

function renderServers(servers) {
  byId("servers").tBodies[0].replaceChildren(
    ...servers.map((server) =>
      row([
        cell(server.id, "mono"),
        badge(server.status),
        cell(server.guard?.name ?? "none"),
        server.guard ? badge(server.guard.state) : cell(""),
        cell(String(server.tools)),
        cell(server.error ?? ""),
      ]),
    ),
  );
}

function renderAgents(state) {
  byId("agents").tBodies[0].replaceChildren(
    ...state.agents.map((agent) =>
      row([
        cell(agent.agent, "mono"),
        lines(agent.secrecy, "tags"),
        lines(agent.integrity, "tags"),
        lines(agent.budgets.map((budget) => `${budget.server}/${budget.tool}: ${budget.used} / ${budget.limit}`)),
      ]),
    ),
  );
  const note = byId("agents-note");
  const notes = [];
  if (state.agentsError) notes.push(`The agents could not be read: ${state.agentsError}`);
  if (state.agentsNotShown > 0) notes.push(`${state.agentsNotShown} more agents are not shown.`);
  if (state.agents.length === 0 && !state.agentsError) notes.push("No agent has called a guarded server yet.");
  note.textContent = notes.join(" ");
  note.hidden = notes.length === 0;
}

function decisionRow(decision) {
  const tr = row([
    cell(new Date(decision.time).toISOString().slice(11, 23), "mono"),
    cell(decision.server, "mono"),
    cell(decision.tool, "mono"),
    badge(decision.decision),
    cell(decision.reason ?? ""),
    cell(decision.filtered === undefined ? "" : String(decision.filtered)),
    cell(decision.agent, "mono"),
  ]);
  tr.dataset.decision = decision.decision;
  return tr;
}

function renderDecisions() {
  byId("decisions").tBodies[0].replaceChildren(...decisions.map(decisionRow).reverse());
  byId("decisions-kept").textContent = `(the last ${kept})`;
}

function addDecision(decision) {
  if (decision.seq <= lastSeq) return;
  lastSeq = decision.seq;
  decisions.push(decision);
  const body = byId("decisions").tBodies[0];
  const tr = decisionRow(decision);
  tr.classList.add("fresh");
  body.prepend(tr);
  while (decisions.length > kept) {
    decisions.shift();
    body.lastElementChild?.remove();
  }
}

function onEvent(name, data) {
  if (name === "snapshot") {
    kept = data.decisionsKept;
    decisions = data.decisions;
    lastSeq = decisions.at(-1)?.seq ?? 0;
    renderServers(data.servers);
    renderAgents(data);
    renderDecisions();
    view.hidden = false;
  } else if (name === "state") {
    renderServers(data.servers);
    renderAgents(data);
  } else if (name === "decision") {
    addDecision(data);
  }
  setStatus(`live, updated ${new Date().toISOString().slice(11, 19)} UTC`, "live");
}

/** One server-sent event ("event: name" and "data: json" lines); comment lines keep the connection warm. */
function dispatch(frame) {
  let name = "message";
  let data = "";
  for (const line of frame.split("\n")) {
    if (line.startsWith("event:")) name = line.slice(6).trim();
    else if (line.startsWith("data:")) data += line.slice(5).trimStart();
  }
  if (data !== "") onEvent(name, JSON.parse(data));
}

function clearView() {
  view.hidden = true;
  decisions = [];
  lastSeq = 0;
  for (const id of ["servers", "agents", "decisions"]) byId(id).tBodies[0].replaceChildren();
}

function askForKey(message) {
  running?.abort();
  key = "";
  sessionStorage.removeItem(KEY_ITEM);
  clearView();
  form.hidden = false;
  forget.hidden = true;
  errorLine.textContent = message ?? "";
  errorLine.hidden = !message;
  setStatus("not connected");
  keyInput.focus();
}

function retryLater(why) {
  const delay = RETRY_MS[Math.min(retries, RETRY_MS.length - 1)];
  retries += 1;
  setStatus(`${why}; trying again in ${delay / 1000} s`, "trouble");
  const controller = running;
  setTimeout(() => {
    if (controller === running && !controller.signal.aborted) void connect();
  }, delay);
}

async function connect() {
  running?.abort();
  const controller = new AbortController();
  running = controller;
  setStatus("connecting…");
  let response;
  try {
    response = await fetch("/ui/events", { headers: { Authorization: key, Accept: "text/event-stream" }, cache: "no-store", signal: controller.signal });
  } catch {
    if (!controller.signal.aborted) retryLater("the gateway cannot be reached");
    return;
  }
  if (response.status === 401 || response.status === 400) {
    const body = await response.json().catch(() => ({}));
    askForKey(`The gateway refused the key: ${body.message ?? response.statusText}.`);
    return;
  }
  if (!response.ok || !response.body) {
    const body = await response.json().catch(() => ({}));
    retryLater(`the gateway answered ${response.status}${body.message ? ` (${body.message})` : ""}`);
    return;
  }
  form.hidden = true;
  forget.hidden = false;
  errorLine.hidden = true;
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffered = "";
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      retries = 0;
      buffered += value;
      let end;
      while ((end = buffered.indexOf("\n\n")) >= 0) {
        dispatch(buffered.slice(0, end));
        buffered = buffered.slice(end + 2);
      }
    }
  } catch {
    // The stream broke off; below, as when it ended.
  }
  if (!controller.signal.aborted) retryLater("the stream ended");
}

form.addEventListener("submit", (event) => {
  event.preventDefault();
  // An HTTP header carries Latin-1 text without line breaks; fetch would refuse anything else as if the gateway were down.
  if (!/^[\t\x20-\x7e\xa0-\xff]+$/.test(keyInput.value)) {
    askForKey("The key holds characters an Authorization header cannot carry: paste the gateway's agent id as it is.");
    return;
  }
  key = keyInput.value;
  keyInput.value = "";
  sessionStorage.setItem(KEY_ITEM, key);
  void connect();
});

forget.addEventListener("click", () => askForKey());

if (key !== "") void connect();
else keyInput.focus();
