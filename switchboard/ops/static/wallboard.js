// The wallboard. Everything shown is set with textContent: nothing from the server is parsed
// as HTML. The engine pushes its figures every second; the clock is the wall screen's own.
"use strict";

const NORWEGIAN = {
  "Switchboard": "Sentralbord",
  "connecting…": "kobler til …",
  "live": "direkte",
  "PBX not connected": "sentralbordet er ikke tilkoblet",
  "(standby engine)": "(reservemotor)",
  "connection lost, reconnecting…": "forbindelsen er brutt – kobler til igjen …",
  "Open": "Åpent",
  "Closed": "Stengt",
  "waiting": "venter",
  "longest wait": "lengst ventet",
  "answered within": "besvart innen",
  "hung up waiting": "la på i kø",
  "available": "ledig",
  "in call": "i samtale",
  "in a meeting": "i møte",
  "paused": "pause",
  "logged out": "logget av",
  "nobody": "ingen",
  "Callbacks open:": "Åpne tilbakeringinger:",
  "overdue:": "over fristen:",
};
const STATES = [
  ["available", "available"], ["in_call", "in call"], ["paused_calendar", "in a meeting"],
  ["paused_by_hand", "paused"], ["logged_out", "logged out"],
];
let lang = "en";
const t = (english) => (lang === "no" && NORWEGIAN[english]) || english;
const $ = (id) => document.getElementById(id);

function el(tag, cls, text) {
  const e = document.createElement(tag);
  if (cls) e.className = cls;
  if (text !== undefined) e.textContent = text;
  return e;
}

function setLanguage(language) {
  if (!language || language === lang) return;
  lang = language;
  document.documentElement.lang = lang === "no" ? "nb" : "en";
  document.title = lang === "no" ? "Sentralbord – veggskjerm" : "Switchboard – wallboard";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  tick();
}

function minutes(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function figure(cls, value, label) {
  const d = el("div", `figure ${cls}`);
  d.append(el("b", "", value), label);
  return d;
}

function loopCard(loop, target) {
  const card = el("section", "loop");
  card.dataset.loop = loop.id;
  card.append(el("h2", "", loop.title));
  const level = loop.service_level === null ? "–" : `${Math.round(loop.service_level * 100)} %`;
  // Hung up while waiting: callers moved on or timed out to the next level are not counted.
  const hungUp = loop.abandon_rate === null ? "–" : `${Math.round(loop.abandon_rate * 100)} %`;
  const figures = el("div", "figures");
  figures.append(
    figure(`waiting${loop.waiting > 0 ? " warn" : ""}`, String(loop.waiting), t("waiting")),
    figure(loop.longest_wait_s > target ? "bad" : "", minutes(loop.longest_wait_s), t("longest wait")),
    figure("", level, `${t("answered within")} ${target} s`),
    figure("", hungUp, t("hung up waiting")),
  );
  const agents = el("div", "agents");
  for (const [state, label] of STATES) {
    const n = loop.agents[state] || 0;
    if (n > 0) agents.append(el("span", `chip state-${state}`, `${n} ${t(label)}`));
  }
  if (!agents.childElementCount) agents.append(el("span", "chip none", t("nobody")));
  card.append(figures, agents);
  return card;
}

function render(data) {
  setLanguage(data.language);
  document.body.classList.remove("stale");
  $("loops").replaceChildren(...data.loops.map((loop) => loopCard(loop, data.service_level_target_s)));
  const phones = $("phones");
  phones.hidden = data.phones_open === null;
  phones.className = `chip phones ${data.phones_open ? "open" : "closed"}`;
  phones.textContent = t(data.phones_open ? "Open" : "Closed");
  const footer = $("footer");
  footer.replaceChildren();
  if (data.callbacks !== null) {
    footer.append(`${t("Callbacks open:")} ${data.callbacks.open} · `);
    const overdue = el("span", data.callbacks.overdue ? "overdue" : "", `${t("overdue:")} ${data.callbacks.overdue}`);
    footer.append(overdue);
  }
  const status = $("status");
  status.className = data.ami_connected ? "status" : "status bad";
  status.textContent = t(data.ami_connected ? "live" : "PBX not connected") +
    (data.leader ? "" : ` ${t("(standby engine)")}`);
}

function tick() {
  const now = new Date();
  const locale = lang === "no" ? "nb-NO" : "en-GB";
  $("clock").textContent = now.toLocaleTimeString(locale, { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  $("clock").dateTime = now.toISOString();
  $("date").textContent = now.toLocaleDateString(locale, { weekday: "long", day: "numeric", month: "long" });
}

document.addEventListener("DOMContentLoaded", () => {
  tick();
  setInterval(tick, 1000);
  const source = new EventSource("/api/wallboard/events");
  source.onmessage = (message) => render(JSON.parse(message.data));
  source.onerror = () => {
    const status = $("status");
    status.className = "status bad";
    status.textContent = t("connection lost, reconnecting…");
    document.body.classList.add("stale");
    // The browser retries by itself unless the engine answered with an error: then a wall
    // screen nobody touches must come back on its own.
    if (source.readyState === EventSource.CLOSED) setTimeout(() => location.reload(), 5000);
  };
});
