// Bytes on the wire, JSON text frames vs protobuf binary frames, for a seeded meeting.
//
//   npm run build && node scripts/wire-bytes.mjs http://127.0.0.1:PORT ADMIN_KEY
//
// Starts nothing: it talks to a running majlisd. It creates a meeting like ./dev run's demo
// (bilingual title, stakeholder groups) with participants with Arabic names, an agenda and a
// poll, connects one moderator, participant and display client in each format, plays a meeting
// (requests to speak, turns, a vote, questions), and prints the Welcome snapshot bytes per
// audience and the mean bytes per event, as each client received them (the message payload;
// WebSocket framing adds 2-10 bytes per message).

import WebSocket from 'ws';
import { MajlisClient, api, setApiBase } from '../dist/index.js';

const [base, adminKey] = process.argv.slice(2);
if (!base || !adminKey) {
  console.error('usage: node scripts/wire-bytes.mjs http://HOST:PORT ADMIN_KEY');
  process.exit(2);
}
setApiBase(base);
const wsUrl = `${base.replace(/^http/, 'ws')}/ws`;

const GROUPS = ['government', 'civil_society', 'private_sector', 'academia'];
const PEOPLE = [
  ['فاطمة الزهراء بنعلي', 'government', 'in_room'],
  ['يوسف العمراني', 'civil_society', 'remote'],
  ['مريم الحسيني', 'academia', 'in_room'],
  ['Karim Haddad — كريم حداد', 'private_sector', 'remote'],
  ['عبد الرحمن التازي', 'civil_society', 'in_room'],
  ['Leila Mansour', 'government', 'remote'],
];

// Counts every message a client receives: its byte length and what it was.
function countingWebSocket(log) {
  return class extends WebSocket {
    constructor(url) {
      super(url);
      this.on('message', (data, isBinary) => {
        const bytes = isBinary ? data.byteLength : Buffer.byteLength(data.toString('utf8'));
        const text = isBinary ? null : data.toString('utf8');
        log.push({ bytes, isBinary, text, data: isBinary ? new Uint8Array(data) : null });
      });
    }
  };
}

function connect(meetingId, token, format) {
  const log = [];
  const client = new MajlisClient({ meetingId, token, url: wsUrl, format, WebSocket: countingWebSocket(log),
    watchNetwork: false, pingIntervalMs: 60000, pongTimeoutMs: 60000 });
  client.wire = log;
  client.connect();
  return client;
}

async function until(cond, what, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  while (!cond()) {
    if (Date.now() > deadline) throw new Error(`timed out: ${what}`);
    await new Promise((r) => setTimeout(r, 10));
  }
}

async function must(client, command) {
  const r = await client.send(command);
  if (!r.ok) throw new Error(`${Object.keys(command)[0]}: ${r.error.code} ${r.error.message}`);
  return r;
}

const created = await api.createMeeting(adminKey, {
  title: 'National digital-policy consultation — الحوار الوطني حول السياسات الرقمية',
  languages: ['ar', 'en'], stakeholderGroups: GROUPS,
});
const meetingId = created.meetingId;
const people = [];
for (const [name, stakeholderGroup, attendance] of PEOPLE) {
  people.push(await api.issueToken(adminKey, meetingId, { role: 'participant', name, stakeholderGroup, attendance }));
}

// The chair sets the meeting up before anyone measures.
const chair = connect(meetingId, created.tokens.moderator, 'binary');
await until(() => chair.live, 'chair live');
await must(chair, { setQueuePolicy: { policy: { firstTimeFirst: true, alternateAttendance: true, stakeholderBalance: true } } });
await must(chair, { setDefaultSpeakingTime: { timeLimitMs: '180000' } });
const agenda = [
  ['Opening and adoption of the agenda — الافتتاح واعتماد جدول الأعمال', 'Chair'],
  ['Data protection law: draft articles 4–9 — قانون حماية البيانات: مشروع المواد ٤–٩', 'وزارة الاقتصاد الرقمي'],
  ['Broadband access in rural areas — النفاذ إلى الإنترنت في المناطق القروية', 'Civil society coalition'],
  ['Any other business — ما يستجد من أعمال', ''],
];
for (const [title, presenter] of agenda) {
  await must(chair, { addAgendaItem: { title, presenter, plannedMinutes: 20, position: -1, description: 'نقاش مفتوح — open discussion' } });
}
await chair.waitForSeq((await must(chair, { startMeeting: {} })).seq);
const items = chair.state.agenda.map((i) => i.id);
await must(chair, { startAgendaItem: { itemId: items[0] } });
await must(chair, { recordDecision: { itemId: items[0], text: 'اعتُمد جدول الأعمال بالإجماع — agenda adopted unanimously' } });
await must(chair, { startAgendaItem: { itemId: items[1] } });
const participantsHere = people.map((p) => connect(meetingId, p.token, 'binary'));
await until(() => participantsHere.every((c) => c.live), 'participants live');
for (const c of participantsHere.slice(0, 4)) await must(c, { requestFloor: { kind: 'REQUEST_KIND_SPEAK' } });
await must(chair, { nextSpeaker: {} });
await must(participantsHere[1], { submitContribution: { text: 'ما هي الضمانات المقترحة لحماية بيانات الأطفال؟' } });
const poll = await must(chair, { createPoll: {
  question: 'هل توافقون على المادة ٦ بصيغتها الحالية؟ — Do you approve article 6 as drafted?',
  kind: 'POLL_KIND_YES_NO_ABSTAIN', secrecy: 'POLL_SECRECY_NAMED', visibility: 'RESULTS_VISIBILITY_LIVE',
} });
await chair.waitForSeq(poll.seq);

// The measured clients: one per audience and format, welcomed with the meeting as it is now.
const audiences = { moderator: created.tokens.moderator, participant: people[5].token, display: created.tokens.display };
const measured = [];
for (const [audience, token] of Object.entries(audiences)) {
  for (const format of ['json', 'binary']) measured.push({ audience, format, client: connect(meetingId, token, format) });
}
await until(() => measured.every((m) => m.client.live), 'measured clients live');
const welcomeSeq = measured[0].client.state.seq;

// The meeting goes on: turns, a vote, questions, upvotes, presence.
const pollId = chair.state.polls.at(-1).id;
await must(chair, { openPoll: { pollId } });
for (const [i, c] of participantsHere.entries()) await must(c, { castBallot: { pollId, choices: [i % 3] } });
await must(chair, { endTurn: {} });
await must(chair, { nextSpeaker: {} });
await must(participantsHere[2], { submitContribution: { text: 'How will the law apply to foreign cloud providers?' } });
const questions = chair.state.contributions.map((c) => c.id);
for (const c of participantsHere) await must(c, { upvoteContribution: { contributionId: questions[0] } }).catch(() => {});
await must(chair, { pauseFloor: {} });
await must(chair, { resumeFloor: {} });
await must(chair, { endTurn: {} });
await must(chair, { closePoll: { pollId } });
await must(chair, { requestFloor: { kind: 'REQUEST_KIND_POINT_OF_ORDER', participantId: people[4].participantId } });
await must(chair, { recordActionItem: { itemId: items[1], text: 'صياغة المادة ٦ من جديد', owner: 'الأمانة', dueDate: '2027-01-15' } });
participantsHere[3].close();
const last = await must(chair, { startAgendaItem: { itemId: items[2] } });
await until(() => measured.every((m) => m.client.state.seq >= last.seq), 'measured clients caught up');

// Sums up what each measured client received.
function figures({ client }) {
  let welcome = 0;
  let eventBytes = 0;
  let events = 0;
  let batches = 0;
  for (const m of client.wire) {
    const decoded = m.isBinary ? null : JSON.parse(m.text);
    const kind = decoded ? Object.keys(decoded)[0] : kindOfBinary(m.data);
    if (kind === 'welcome') welcome = m.bytes;
    if (kind === 'events') {
      batches += 1;
      eventBytes += m.bytes;
      events += countEvents(m);
    }
  }
  return { welcome, events, batches, eventBytes, mean: events ? eventBytes / events : 0 };
}

const { pb } = await import('../dist/index.js');
const { fromBinary } = await import('@bufbuild/protobuf');
function kindOfBinary(bytes) {
  return fromBinary(pb.ServerMessageSchema, bytes).kind.case;
}
function countEvents(m) {
  if (!m.isBinary) return JSON.parse(m.text).events.events.length;
  return fromBinary(pb.ServerMessageSchema, m.data).kind.value.events.length;
}

const rows = [];
for (const audience of Object.keys(audiences)) {
  const json = figures(measured.find((m) => m.audience === audience && m.format === 'json'));
  const bin = figures(measured.find((m) => m.audience === audience && m.format === 'binary'));
  rows.push({ audience, json, bin });
}
const pct = (b, j) => `${Math.round((100 * b) / j)}%`;
console.log(`meeting ${meetingId}: ${people.length} participants, ${agenda.length} agenda items, 1 poll; `
  + `Welcome at seq ${welcomeSeq}, then events up to seq ${last.seq}\n`);
console.log('| audience | Welcome snapshot JSON | binary | binary/JSON | events (batches) | mean bytes/event JSON | binary | binary/JSON |');
console.log('|---|---:|---:|---:|---:|---:|---:|---:|');
for (const { audience, json, bin } of rows) {
  console.log(`| ${audience} | ${json.welcome} | ${bin.welcome} | ${pct(bin.welcome, json.welcome)} | `
    + `${json.events} (${json.batches}) | ${json.mean.toFixed(1)} | ${bin.mean.toFixed(1)} | ${pct(bin.mean, json.mean)} |`);
}
for (const c of [chair, ...participantsHere, ...measured.map((m) => m.client)]) c.close();
