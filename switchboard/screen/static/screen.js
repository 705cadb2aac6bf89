// The agent screen. Everything shown is set with textContent: nothing from the server is
// ever parsed as HTML. The server sends a view only when it changed.
"use strict";

// The page's own words; the engine's messages arrive already in the configured language.
const NORWEGIAN = {
  "Available": "Tilgjengelig",
  "Lunch": "Lunsj",
  "Break": "Pause",
  "Follow-up work": "Oppfølging",
  "Training": "Opplæring",
  "On leave": "Fri/permisjon",
  "Member calling, I recognise them": "Medlemmet ringer selv, jeg kjenner igjen",
  "Member calling, not recognised": "Medlemmet ringer selv, ikke gjenkjent",
  "On behalf of a member: invoice": "På vegne av et medlem: faktura",
  "On behalf of a member: a case": "På vegne av et medlem: en sak",
  "The caller calls back": "Innringer ringer tilbake",
  "We call the member": "Vi ringer medlemmet",
  "We call the caller back": "Vi ringer innringer opp igjen",
  "Ringing": "Ringer",
  "In call": "I samtale",
  "Call ended": "Samtale avsluttet",
  "free": "ledig",
  "in a call": "i samtale",
  "in a meeting": "i møte",
  "before a meeting": "før møte",
  "Ring me in meetings if nobody else can": "Ring meg i møter hvis ingen andre kan",
  "paused": "pause",
  "on leave": "fri/permisjon",
  "logged out": "logget av",
  "Agent id": "Bruker",
  "Password": "Passord",
  "Log in": "Logg inn",
  "Log out": "Logg ut",
  "Status:": "Status:",
  "Identity check": "Legitimering",
  "Colleagues": "Kolleger",
  "Callbacks for your loops": "Tilbakeringinger i dine sløyfer",
  "No call on your line.": "Ingen samtale på linjen din.",
  "No callback requests open.": "Ingen åpne ønsker om tilbakeringing.",
  "Close this call": "Lukk samtalen",
  "Name": "Navn",
  "Status": "Status",
  "number withheld": "skjult nummer",
  "pressed": "tastet",
  "wrong key(s) first": "feil tast først",
  "moved on from": "flyttet fra",
  "English": "engelsk",
  "Norwegian": "norsk",
  "answered after": "besvart etter",
  "in the queue": "i kø",
  "waiting": "venter",
  "If another language is needed:": "Trengs et annet språk:",
  "No member registered on this number: the identity check finds them.": "Ingen medlem registrert på dette nummeret: legitimeringen finner dem.",
  "member": "medlem",
  "Phone": "Telefon",
  "E-mail": "E-post",
  "Address": "Adresse",
  "Save": "Lagre",
  "Check": "Sjekk",
  "Start over": "Start på nytt",
  "Fødselsnummer": "Fødselsnummer",
  "Member number": "Medlemsnummer",
  "Member number or mobile": "Medlemsnummer eller mobil",
  "KID number": "KID-nummer",
  "Member on the invoice:": "Medlem på fakturaen:",
  "The name matches": "Navnet stemmer",
  "It does not match": "Navnet stemmer ikke",
  "The member agreed (on the phone now)": "Medlemmet gir fullmakt (på telefonen nå)",
  "No consent yet": "Ingen fullmakt ennå",
  "(you)": "(deg)",
  "queues:": "køene:",
  "asked": "ønsket",
  "first called": "ringte først",
  "due": "frist",
  "(overdue)": "(over fristen)",
  "call": "ring",
  "taken by": "tatt av",
  "Take": "Ta den",
  "Called back: done": "Ringt tilbake: utført",
  "Hand back": "Gi tilbake",
  "Your session ended: log in again.": "Økten er avsluttet: logg inn igjen.",
  "Your session expired: log in again.": "Økten er utløpt: logg inn igjen.",
  "Logged out.": "Logget ut.",
  "login failed": "innlogging feilet",
  "no answer from the engine": "ikke svar fra motoren",
  "Agent screen": "Agentskjerm",
  "new": "ny",
  "Connection lost, reconnecting…": "Forbindelsen er brutt – kobler til igjen …",
  "Close now": "Steng nå",
  "What": "Hva",
  "Message": "Melding",
  "Close": "Steng",
  "Reopen": "Åpne igjen",
  "The whole line": "Hele linjen",
  "is closed": "er stengt",
  "message": "melding",
  "by": "av",
  "event": "arrangement",
  "emergency": "uforutsett hendelse",
  "Follow-up time left:": "Oppfølgingstid igjen:",
  "Available ends it now": "Tilgjengelig avslutter den nå",
  "Calendar": "Kalender"
};
let lang = "en";
const t = (english) => (lang === "no" && NORWEGIAN[english]) || english;

const STATUS_LABELS = {
  available: "Available", lunch: "Lunch", break: "Break", "follow-up": "Follow-up work",
  training: "Training", leave: "On leave",
};
const SITUATIONS = [
  ["own-recognised", "Member calling, I recognise them"],
  ["own", "Member calling, not recognised"],
  ["behalf-invoice", "On behalf of a member: invoice"],
  ["behalf-case", "On behalf of a member: a case"],
];
const AGREEMENTS = [
  ["caller-calls-back", "The caller calls back"],
  ["we-call-member", "We call the member"],
  ["we-call-caller", "We call the caller back"],
];

let csrf = "";
let followUpUntil = null;  // epoch seconds: the engine's follow-up pause after a call ends then
let events = null;
let lastCard = "";
let card = null;

const $ = (id) => document.getElementById(id);

function el(tag, text, attrs) {
  const node = document.createElement(tag);
  if (text !== undefined && text !== null) node.textContent = text;
  for (const [k, v] of Object.entries(attrs || {})) node.setAttribute(k, v);
  return node;
}

function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

async function post(path, body) {
  const response = await fetch(path, {
    method: "POST",
    headers: { "Content-Type": "application/json", "X-Switchboard-CSRF": csrf },
    body: JSON.stringify(body),
    credentials: "same-origin",
  });
  let data = {};
  try { data = await response.json(); } catch (e) { data = { error: t("no answer from the engine") }; }
  if (response.status === 401) showLogin(t("Your session ended: log in again."));
  return { ok: response.ok, data };
}

function showLogin(message) {
  if (events) { events.close(); events = null; }
  if (retrying !== null) { clearTimeout(retrying); retrying = null; }
  connectionBack();
  live = false;
  $("desk").hidden = true;
  $("login").hidden = false;
  $("login-problem").textContent = message || "";
}

// Labels in the page itself carry their English text in data-t.
function setLanguage(language) {
  if (!language || language === lang) return;
  lang = language;
  document.documentElement.lang = lang === "no" ? "nb" : "en";
  for (const node of document.querySelectorAll("[data-t]")) node.textContent = t(node.dataset.t);
  $("status-buttons").replaceChildren();  // relabelled at the next render
  lastCard = "";
}

// The engine gone (stopped, restarting, network down): say so at once and grey out the
// presence shown, which is no longer live. The browser's EventSource retries by itself while
// it can; once it gives up (the engine answered with an error), we ask again every few seconds.
const RETRY_MS = 3000;
let live = false;
let retrying = null;

function connectionLost() {
  live = false;
  $("connection").hidden = false;
  $("desk").classList.add("stale");
}

function connectionBack() {
  live = true;
  $("connection").hidden = true;
  $("desk").classList.remove("stale");
}

function retryLater() {
  if (retrying === null) retrying = setTimeout(() => { retrying = null; start(); }, RETRY_MS);
}

async function start() {
  let response;
  try {
    response = await fetch("/api/screen/me", { credentials: "same-origin" });
  } catch (e) {
    if (!$("desk").hidden) { connectionLost(); retryLater(); } else showLogin("");
    return;
  }
  if (response.status === 401) {
    // After an outage the engine may have restarted, and sessions live in the engine.
    showLogin($("desk").hidden ? "" : t("Your session ended: log in again."));
    return;
  }
  if (!response.ok) {
    if (!$("desk").hidden) { connectionLost(); retryLater(); } else showLogin("");
    return;
  }
  csrf = (await response.json()).csrf;
  $("login").hidden = true;
  $("desk").hidden = false;
  lastCard = "";
  if (events) events.close();
  events = new EventSource("/api/screen/events");
  events.onmessage = (message) => {
    if (!live) connectionBack();
    render(JSON.parse(message.data));
  };
  events.onerror = () => {
    connectionLost();
    if (events && events.readyState === EventSource.CLOSED) {
      events.close();
      events = null;
      retryLater();
    }
  };
  events.addEventListener("expired", () => showLogin(t("Your session expired: log in again.")));
}

function render(view) {
  $("me-name").textContent = view.me.name;
  setLanguage(view.language);
  $("me-status").textContent = t(STATUS_LABELS[view.me.status] || view.me.status);
  const presence = [t(view.me.presence), view.me.detail].filter(Boolean).join(" ");
  $("me-presence").textContent = presence ? `(${t("queues:")} ${presence})` : "";
  renderStatusButtons(view.statuses, view.me.status);
  const ring = view.me.ring_in_meetings;
  $("ring-in-meetings-box").hidden = !ring;
  if (ring) $("ring-in-meetings").checked = ring.on;
  followUpUntil = view.me.follow_up_until || null;
  $("me-calendar").textContent = view.me.calendar || "";
  renderCountdown();
  const hints = $("hints");
  clear(hints);
  for (const hint of view.hints) hints.appendChild(el("li", hint));
  showCard(view.call);
  renderCallbacks(view.callbacks);
  renderPromises(view);
  // The board comes only when it changed (one copy for every screen); keep the last one.
  if (view.board) renderBoard(view.board, view.me.id);
  renderClosures(view.closures || [], view.switch);
  const notes = $("loop-notes");
  clear(notes);
  for (const note of view.loop_notes || []) notes.appendChild(el("li", note, { "data-testid": "loop-note" }));
}

// What is closed, for everyone; the switch itself only for supervisors (the engine checks
// the role again on every request).
function renderClosures(closures, sw) {
  const list = $("closures");
  clear(list);
  for (const c of closures) {
    const what = c.title || t("The whole line");
    const by = c.by ? ` ${t("by")} ${c.by}` : "";
    const li = el("li", `${what} ${t("is closed")} (${t("message")}: ${t(c.message)})${by}`, { "data-scope": c.scope, "data-testid": "closure", role: "status" });
    if (sw) {
      const reopen = el("button", t("Reopen"), { type: "button", "data-testid": "closure-reopen" });
      reopen.addEventListener("click", async () => {
        const { ok, data } = await post("/api/screen/closure/reopen", { scope: c.scope });
        $("action-problem").textContent = ok ? "" : data.error;
      });
      li.appendChild(reopen);
    }
    list.appendChild(li);
  }
  const form = $("switch");
  form.hidden = !sw;
  if (!sw) return;
  const scopes = $("switch-scope");
  if (scopes.childElementCount !== sw.scopes.length) {
    clear(scopes);
    for (const s of sw.scopes) scopes.appendChild(el("option", s.title || t("The whole line"), { value: s.scope }));
    const messages = $("switch-message");
    clear(messages);
    for (const m of sw.messages) messages.appendChild(el("option", t(m), { value: m }));
  }
}

function renderCountdown() {
  const left = followUpUntil === null ? 0 : followUpUntil - Date.now() / 1000;
  $("me-countdown").textContent = left > 0 ? `${t("Follow-up time left:")} ${formatWait(left)} (${t("Available ends it now")})` : "";
}

function renderCallbacks(rows) {
  const list = $("callbacks");
  clear(list);
  $("no-callbacks").hidden = rows.length > 0;
  for (const r of rows) {
    const li = el("li", null, { "data-ref": r.ref, "data-testid": "callback", class: r.overdue ? "overdue" : "" });
    li.appendChild(el("strong", `Ref ${r.ref}`));
    const overdue = r.overdue ? ` ${t("(overdue)")}` : "";
    const called = r.called ? ` · ${t("first called")} ${r.called}` : "";
    li.appendChild(el("span", ` · ${r.loop}${called} · ${t("asked")} ${r.asked} · ${t("due")} ${r.due}${overdue} · `));
    if (r.mine) {
      li.appendChild(el("span", `${t("call")} ${r.number}`, { class: "callback-number", "data-testid": "callback-number" }));
      const done = el("button", t("Called back: done"), { type: "button", "data-testid": "callback-done" });
      done.addEventListener("click", () => callbackAction("done", r.ref));
      li.appendChild(done);
      const back = el("button", t("Hand back"), { type: "button", "data-testid": "callback-release" });
      back.addEventListener("click", () => callbackAction("release", r.ref));
      li.appendChild(back);
    } else if (r.status === "taken") {
      li.appendChild(el("span", `${t("taken by")} ${r.taken_by}`, { "data-testid": "callback-taken-by" }));
    } else {
      const take = el("button", t("Take"), { type: "button", "data-testid": "callback-take" });
      take.addEventListener("click", () => callbackAction("take", r.ref));
      li.appendChild(take);
    }
    list.appendChild(li);
  }
}

async function callbackAction(verb, ref) {
  const { ok, data } = await post(`/api/screen/callback/${verb}`, { ref });
  $("action-problem").textContent = ok ? "" : data.error;
}

// The card comes both from the event stream and as the answer to the agent's own action,
// in either order: render whichever is new, once.
function showCard(next) {
  const json = JSON.stringify(next);
  if (json === lastCard) return;
  lastCard = json;
  card = next;
  renderCard(card);
}

async function toggleRingInMeetings() {
  const box = $("ring-in-meetings");
  const { ok, data } = await post("/api/screen/ring-in-meetings", { ring: box.checked ? "on" : "off" });
  $("action-problem").textContent = ok ? "" : data.error;
  if (!ok) box.checked = !box.checked;
}

function renderStatusButtons(statuses, current) {
  const box = $("status-buttons");
  if (box.childElementCount === statuses.length) {
    for (const b of box.children) b.disabled = b.dataset.status === current;
    return;
  }
  clear(box);
  for (const status of statuses) {
    const button = el("button", t(STATUS_LABELS[status] || status), { type: "button", "data-status": status });
    button.disabled = status === current;
    button.addEventListener("click", async () => {
      const { ok, data } = await post("/api/screen/status", { status });
      $("action-problem").textContent = ok ? "" : data.error;
    });
    box.appendChild(button);
  }
}

function formatWait(seconds) {
  const s = Math.max(0, Math.round(seconds));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}

function waitedText(c) {
  if (c.waited_s !== null) return `${t("answered after")} ${formatWait(c.waited_s)} ${t("in the queue")}`;
  if (c.joined_at !== null) return `${t("waiting")} ${formatWait(Date.now() / 1000 - c.joined_at)}`;
  return "";
}

// A screen in a background tab still tells the agent a call is ringing: in the tab's title.
function setTitle(c) {
  const base = `Switchboard — ${t("Agent screen")}`;
  if (c && c.phase === "ringing") document.title = `☎ ${t("Ringing")}: ${c.number || t("number withheld")} — ${base}`;
  else if (c && c.phase === "connected") document.title = `${t("In call")} — ${base}`;
  else document.title = base;
}

function renderCard(c) {
  setTitle(c);
  const section = $("card");
  $("no-call").hidden = c !== null;
  section.hidden = c === null;
  if (c === null) return;
  section.className = `card ${c.phase}`;
  section.dataset.callId = c.call_id;
  $("card-phase").textContent = t({ ringing: "Ringing", connected: "In call", ended: "Call ended" }[c.phase]);
  $("card-number").textContent = c.number || t("number withheld");
  $("card-caller").textContent = c.caller_name;
  const facts = [c.loop];
  if (c.digit) facts.push(`${t("pressed")} ${c.digit}`);
  if (c.invalid_keys) facts.push(`${c.invalid_keys} ${t("wrong key(s) first")}`);
  if (c.levels.length > 1) facts.push(`${t("moved on from")} ${c.levels.slice(0, -1).join(", ")}`);
  facts.push(t(c.language === "en" ? "English" : "Norwegian"));
  facts.push(waitedText(c));
  $("card-facts").textContent = facts.filter(Boolean).join(" · ");
  $("card-greeting").textContent = c.greeting;
  $("card-greeting-alt").textContent = c.greeting_alternative ? `${t("If another language is needed:")} ${c.greeting_alternative}` : "";
  $("card-lookup").textContent = c.lookup_problem;
  renderMembers(c);
  renderIdentity(c);
  $("card-closing").textContent = c.closing || "";
  renderInquiryForm(c);
  $("card-close").hidden = !c.closable;
}

function renderMembers(c) {
  const box = $("card-members");
  const typed = keepTyped(box);
  clear(box);
  if (c.members.length === 0) {
    box.appendChild(el("p", t("No member registered on this number: the identity check finds them."), { class: "quiet" }));
  }
  for (const m of c.members) {
    const div = el("div", null, { class: "member", "data-testid": "member", "data-member": m.id });
    div.appendChild(el("h3", `${m.name} · ${t("member")} ${m.member_number}`));
    div.appendChild(el("div", `${t("Phone")}: ${m.phone || "—"} · ${t("E-mail")}: ${m.email || "—"}`));
    div.appendChild(el("div", `${t("Address")}: ${m.address || "—"}`));
    for (const f of m.flags) {
      const flag = el("div", null, { class: "flag", "data-testid": "flag", "data-flag": f.flag });
      flag.appendChild(el("span", f.text));
      const form = el("form", null, { "data-field": f.field });
      const input = el("input", null, { name: `${m.id}:${f.field}`, "aria-label": `new ${f.field}`, autocomplete: "off" });
      if (f.field === "fnr") input.setAttribute("inputmode", "numeric");
      form.appendChild(input);
      form.appendChild(el("button", t("Save"), { type: "submit" }));
      form.addEventListener("submit", async (event) => {
        event.preventDefault();
        const { ok, data } = await post("/api/screen/correction", {
          call_id: c.call_id, member_id: m.id, field: f.field, value: input.value,
        });
        $("action-problem").textContent = ok ? "" : data.error;
        if (ok) input.value = "";
        if (ok && data && data.call_id) showCard(data);
      });
      flag.appendChild(form);
      div.appendChild(flag);
    }
    box.appendChild(div);
  }
  restoreTyped(box, typed);
}

function keepTyped(box) {
  const typed = {};
  for (const input of box.querySelectorAll("input")) if (input.value) typed[input.name] = input.value;
  return typed;
}

function restoreTyped(box, typed) {
  for (const input of box.querySelectorAll("input")) if (typed[input.name]) input.value = typed[input.name];
}

function renderIdentity(c) {
  const id = c.identity;
  $("identity-instruction").textContent = id.instruction;
  $("identity-problem").textContent = id.problem;
  const outcome = $("identity-outcome");
  outcome.textContent = id.outcome;
  outcome.className = `outcome${id.verified ? " verified" : ""}`;
  const box = $("identity-controls");
  const sameStep = box.dataset.step === id.step && box.dataset.call === c.call_id;
  const typed = sameStep ? keepTyped(box) : {};
  clear(box);
  box.dataset.step = id.step;
  box.dataset.call = c.call_id;
  const send = async (answer) => {
    const { ok, data } = await post("/api/screen/identity", { call_id: c.call_id, answer });
    if (!ok) $("identity-problem").textContent = data.error;
    else if (data && data.call_id) showCard(data);
  };
  const button = (label, answer, testid) => {
    const b = el("button", t(label), { type: "button", "data-testid": testid });
    b.addEventListener("click", () => send(answer));
    box.appendChild(b);
  };
  const form = (fields, testid) => {
    const f = el("form", null, { "data-testid": testid });
    for (const [name, label] of fields) {
      f.appendChild(el("label", t(label)));
      f.appendChild(el("input", null, { name, inputmode: "numeric", autocomplete: "off", "data-testid": `input-${name}` }));
    }
    f.appendChild(el("button", t("Check"), { type: "submit", "data-testid": `${testid}-submit` }));
    f.addEventListener("submit", (event) => {
      event.preventDefault();
      const answer = {};
      for (const [name] of fields) answer[name] = f.elements[name].value;
      send(answer);
    });
    box.appendChild(f);
  };
  switch (id.step) {
    case "situation":
      for (const [value, label] of SITUATIONS) button(label, { situation: value }, `situation-${value}`);
      break;
    case "fnr-and-member-number":
      form([["fnr", "Fødselsnummer"], ["member_number", "Member number"]], "form-own");
      break;
    case "member-on-phone":
      form([["fnr", "Fødselsnummer"], ["member_number", "Member number or mobile"]], "form-own");
      break;
    case "kid":
      form([["kid", "KID number"]], "form-kid");
      break;
    case "name":
      box.appendChild(el("p", `${t("Member on the invoice:")} ${id.member_name || "?"}`, { "data-testid": "invoice-member" }));
      button("The name matches", { name_matches: true }, "name-matches");
      button("It does not match", { name_matches: false }, "name-differs");
      break;
    case "fnr":
      form([["fnr", "Fødselsnummer"]], "form-fnr");
      break;
    case "consent":
      button("The member agreed (on the phone now)", { consent: true }, "consent-given");
      button("No consent yet", { consent: false }, "consent-missing");
      break;
    case "agreement":
      for (const [value, label] of AGREEMENTS) button(label, { agreement: value }, `agree-${value}`);
      break;
    default:
      break;
  }
  if (id.step !== "situation") button("Start over", { restart: true }, "identity-restart");
  restoreTyped(box, typed);
}

function renderBoard(rows, me) {
  const body = $("board");
  clear(body);
  for (const row of rows) {
    const tr = el("tr", null, { "data-agent": row.id });
    tr.appendChild(el("td", row.id === me ? `${row.name} ${t("(you)")}` : row.name));
    tr.appendChild(el("td", t(row.presence), { class: `presence-${row.presence.replaceAll(" ", "-")}` }));
    tr.appendChild(el("td", row.detail));
    tr.appendChild(el("td", row.calendar || "", { class: (row.calendar || "").includes("failing") || (row.calendar || "").includes("feiler") ? "calendar-failing" : "" }));
    body.appendChild(tr);
  }
}

document.addEventListener("DOMContentLoaded", () => {
  $("login-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const response = await fetch("/api/screen/login", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ agent: $("login-agent").value, password: $("login-password").value }),
      credentials: "same-origin",
    });
    if (response.ok) { $("login-password").value = ""; start(); return; }
    let message = t("login failed");
    try { message = (await response.json()).error; } catch (e) { /* keep the plain message */ }
    $("login-problem").textContent = message;
  });
  $("ring-in-meetings").addEventListener("change", toggleRingInMeetings);
  $("logout").addEventListener("click", async () => {
    await post("/api/screen/logout", {});
    showLogin(t("Logged out."));
  });
  $("switch").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { ok, data } = await post("/api/screen/closure/close", { scope: $("switch-scope").value, message: $("switch-message").value });
    $("action-problem").textContent = ok ? "" : data.error;
  });
  $("card-close").addEventListener("click", async () => {
    if (card) await post("/api/screen/dismiss", { call_id: card.call_id });
  });
  setInterval(renderCountdown, 1000);
  setInterval(() => {
    if (card && card.waited_s === null && card.joined_at !== null) {
      const facts = $("card-facts").textContent.split(" · ");
      facts[facts.length - 1] = waitedText(card);
      $("card-facts").textContent = facts.join(" · ");
    }
  }, 1000);
  fetch("/api/screen/ui").then((r) => r.json()).then((ui) => setLanguage(ui.language)).catch(() => {});
  start();
});

// --- Promises: inquiries from the card, their list, status by reference, history ---------

Object.assign(NORWEGIAN, {
  "Earlier callbacks and inquiries": "Tidligere tilbakeringinger og henvendelser",
  "None: this is their first.": "Ingen: dette er den første.",
  "Register an inquiry": "Registrer en henvendelse",
  "Topic": "Emne",
  "About": "Gjelder",
  "Agreed": "Avtalt",
  "Note (no fødselsnummer)": "Notat (ikke fødselsnummer)",
  "Register": "Registrer",
  "the caller (no member)": "innringer (ikke medlem)",
  "Inquiries for your loops and department": "Henvendelser i dine sløyfer og din avdeling",
  "No inquiries open.": "Ingen åpne henvendelser.",
  "Status by reference": "Status for en referanse",
  "Look up": "Slå opp",
  "Read out the reference:": "Les opp referansen:",
  "answer due": "svarfrist",
  "department told by mail": "avdelingen har fått e-post",
  "mail not sent yet (retried)": "e-post ikke sendt ennå (prøves igjen)",
  "escalated to": "eskalert til",
  "with": "hos",
  "Answered: done": "Besvart: utført",
  "outcome": "utfall",
  "New date": "Ny frist",
  "reason told to the caller": "grunn innringer får høre",
  "Tell the caller:": "Si til innringer:",
  "open": "åpen",
  "taken": "tatt",
  "done": "utført",
  "callback": "tilbakeringing",
  "registered": "registrert",
  "released": "gitt tilbake",
  "new-date": "ny frist",
  "escalated": "eskalert",
  "mailed": "e-post sendt",
  "agreed": "avtalt",
  "mail-refused": "e-post stoppet",
  "promised": "lovet",
  "note": "notat",
});

let historyFor = "";
let inquiryFormFor = "";

function renderInquiryForm(c) {
  const box = $("inquiry");
  box.hidden = topics.length === 0;
  if (box.hidden) return;
  if (inquiryFormFor !== c.call_id) {
    inquiryFormFor = c.call_id;
    $("inquiry-result").textContent = "";
    $("inquiry-note").value = "";
    historyFor = "";
  }
  const members = $("inquiry-member");
  const chosen = members.value;
  clear(members);
  members.appendChild(el("option", t("the caller (no member)"), { value: "" }));
  const seen = new Set();
  for (const m of c.members) {  // the checked member is among them once found
    if (seen.has(m.id)) continue;
    seen.add(m.id);
    members.appendChild(el("option", m.member_number ? `${m.name} · ${m.member_number}` : m.name, { value: m.id }));
  }
  if (chosen && seen.has(chosen)) members.value = chosen;
  else if (c.members.length === 1) members.value = c.members[0].id;
  const contact = $("inquiry-contact");
  if (contact.childElementCount !== AGREEMENTS.length) {
    clear(contact);
    for (const [value, label] of AGREEMENTS) contact.appendChild(el("option", t(label), { value }));
  }
  if (historyFor !== c.call_id) loadHistory(c.call_id);
}

let topics = [];

function renderTopics(list) {
  topics = list || [];
  const select = $("inquiry-topic");
  if (select.childElementCount === topics.length) return;
  clear(select);
  for (const topic of topics) select.appendChild(el("option", topic.title, { value: topic.id }));
  if (card) renderInquiryForm(card);
}

async function loadHistory(callId) {
  historyFor = callId;
  const { ok, data } = await post("/api/screen/history", { call_id: callId });
  if (!ok || historyFor !== callId) return;
  const body = $("history-rows");
  clear(body);
  $("no-history").hidden = data.history.length > 0;
  for (const h of data.history) {
    const tr = el("tr", null, { "data-testid": "history-row", "data-ref": h.ref });
    for (const cell of [h.date, h.loop, t(h.topic), t(h.status), h.outcome]) tr.appendChild(el("td", cell));
    body.appendChild(tr);
  }
}

function renderPromises(view) {
  renderTopics(view.topics);
  const list = $("inquiries");
  const rows = view.inquiries || [];
  $("no-inquiries").hidden = rows.length > 0;
  const typed = keepTyped(list);
  clear(list);
  for (const r of rows) {
    const li = el("li", null, { "data-ref": r.ref, "data-testid": "inquiry-row", class: r.overdue ? "overdue" : "" });
    li.appendChild(el("strong", `Ref ${r.ref}`));
    const overdue = r.overdue ? ` ${t("(overdue)")}` : "";
    li.appendChild(el("span", ` · ${r.topic} · ${r.loop} · ${t("asked")} ${r.asked} · ${t("due")} ${r.due}${overdue} · `));
    if (r.escalated) li.appendChild(el("span", `${t("escalated to")} ${r.level_name} · `, { class: "level", "data-testid": "inquiry-level" }));
    else li.appendChild(el("span", `${t("with")} ${r.level_name} · `));
    if (r.mine) {
      if (r.note) li.appendChild(el("span", `${t("note")}: ${r.note} · `, { "data-testid": "inquiry-note-shown" }));
      const done = el("form", null, { "data-testid": "inquiry-done-form" });
      done.appendChild(el("input", null, { name: `${r.ref}:outcome`, placeholder: t("outcome"), "aria-label": t("outcome"), autocomplete: "off", "data-testid": "inquiry-outcome" }));
      done.appendChild(el("button", t("Answered: done"), { type: "submit", "data-testid": "inquiry-done" }));
      done.addEventListener("submit", (event) => {
        event.preventDefault();
        promiseAction("callback/done", { ref: r.ref, outcome: done.elements[0].value });
      });
      li.appendChild(done);
      const later = el("form", null, { "data-testid": "inquiry-new-date-form" });
      later.appendChild(el("input", null, { name: `${r.ref}:date`, type: "date", "aria-label": t("New date"), "data-testid": "inquiry-date" }));
      later.appendChild(el("input", null, { name: `${r.ref}:reason`, placeholder: t("reason told to the caller"), "aria-label": t("reason told to the caller"), autocomplete: "off", "data-testid": "inquiry-reason" }));
      later.appendChild(el("button", t("New date"), { type: "submit", "data-testid": "inquiry-new-date" }));
      later.addEventListener("submit", async (event) => {
        event.preventDefault();
        const { ok, data } = await post("/api/screen/promise/new-date", { ref: r.ref, date: later.elements[0].value, reason: later.elements[1].value });
        $("action-problem").textContent = ok ? "" : data.error;
        if (ok) $("notice").textContent = `${t("Tell the caller:")} ${data.notice}`;
      });
      li.appendChild(later);
      const back = el("button", t("Hand back"), { type: "button", "data-testid": "inquiry-release" });
      back.addEventListener("click", () => promiseAction("callback/release", { ref: r.ref }));
      li.appendChild(back);
    } else if (r.status === "taken") {
      li.appendChild(el("span", `${t("taken by")} ${r.taken_by}`, { "data-testid": "inquiry-taken-by" }));
    } else {
      const take = el("button", t("Take"), { type: "button", "data-testid": "inquiry-take" });
      take.addEventListener("click", () => promiseAction("callback/take", { ref: r.ref }));
      li.appendChild(take);
    }
    list.appendChild(li);
  }
  restoreTyped(list, typed);
}

async function promiseAction(path, body) {
  const { ok, data } = await post(`/api/screen/${path}`, body);
  $("action-problem").textContent = ok ? "" : data.error;
}

function renderSearch(p) {
  const box = $("search-result");
  clear(box);
  if (!p) return;
  const overdue = p.overdue ? ` ${t("(overdue)")}` : "";
  box.appendChild(el("p", `Ref ${p.ref} · ${t(p.topic)} · ${p.loop} · ${t(p.status)} · ${t("due")} ${p.due}${overdue}` +
    (p.level_name ? ` · ${t("with")} ${p.level_name}` : "") + (p.outcome ? ` · ${p.outcome}` : ""), { "data-testid": "search-status" }));
  const steps = el("ol");
  for (const s of p.steps) steps.appendChild(el("li", `${s.at} · ${s.by} · ${t(s.action)}${s.detail ? ": " + s.detail : ""}`));
  box.appendChild(steps);
}

document.addEventListener("DOMContentLoaded", () => {
  $("inquiry-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    if (!card) return;
    const form = $("inquiry-form");
    const { ok, data } = await post("/api/screen/inquiry", {
      call_id: card.call_id,
      topic: form.elements.topic.value,
      member_id: form.elements.member_id.value,
      contact: form.elements.contact.value,
      note: form.elements.note.value,
    });
    const result = $("inquiry-result");
    if (!ok) { result.textContent = ""; $("action-problem").textContent = data.error; return; }
    $("action-problem").textContent = "";
    result.textContent = `${t("Read out the reference:")} ${data.ref} · ${t("answer due")} ${data.due} · ` +
      t(data.mailed ? "department told by mail" : "mail not sent yet (retried)");
    result.dataset.ref = data.ref;
    form.elements.note.value = "";
    loadHistory(card.call_id);
  });
  $("search-form").addEventListener("submit", async (event) => {
    event.preventDefault();
    const { ok, data } = await post("/api/screen/promise/search", { ref: $("search-ref").value });
    $("action-problem").textContent = ok ? "" : data.error;
    renderSearch(ok ? data : null);
  });
});
