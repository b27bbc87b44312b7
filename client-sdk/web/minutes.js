// The chair's minutes: rendered from the console's state mirror (the full moderator state) in
// English or Arabic, shown over the console and printable to PDF from the browser (print CSS
// in console.css, "minutes view" section, prints this view alone on A4).

import { STRINGS, getLang, dirOf, onLangChange } from './i18n.js';
import { MINUTES_STRINGS } from './minutes_strings.js';
import { h, userText, fmtClock } from './ui.js';

const MINUTES_LANGS = [['en', 'English'], ['ar', 'العربية']];

// int64 fields may arrive as numbers, strings or bigints depending on the client build.
const num = (v) => Number(v || 0);

// A translator bound to one language (the minutes may differ from the console's language).
function translator(lang) {
  // The minutes' own strings, then the pages' (group labels); the console loads both languages.
  const table = { ...(STRINGS[lang] || {}), ...MINUTES_STRINGS[lang] };
  const english = { ...STRINGS.en, ...MINUTES_STRINGS.en };
  const rules = new Intl.PluralRules(lang);
  const tr = (key, params) => {
    let s = table[key] ?? english[key] ?? key;
    if (params) s = s.replace(/\{(\w+)\}/g, (m, k) => (params[k] !== undefined ? String(params[k]) : m));
    return s;
  };
  // Plural forms by CLDR category (Arabic has zero, one, two, few, many, other).
  tr.count = (base, n) => {
    const category = rules.select(n);
    const key = [`${base}.${category}`, `${base}.other`].find((k) => table[k] !== undefined || english[k] !== undefined);
    return tr(key, { n });
  };
  tr.group = (group) => {
    if (!group) return tr('minutes.groupUnverified');
    const norm = group.trim().toLowerCase().replace(/[\s-]+/g, '_');
    if (norm === 'unspecified') return tr('minutes.groupUnverified');
    return table[`group.${norm}`] ?? english[`group.${norm}`] ?? group;
  };
  const locale = lang === 'ar' ? 'ar-u-nu-latn' : lang;
  tr.date = (ms) => new Intl.DateTimeFormat(locale, { dateStyle: 'full' }).format(new Date(ms));
  tr.time = (ms, zone) => new Intl.DateTimeFormat(locale, { hour: '2-digit', minute: '2-digit', ...(zone ? { timeZoneName: 'short' } : {}) })
    .format(new Date(ms));
  // An ISO date (2026-12-31) as that calendar day, whatever the browser's time zone.
  tr.day = (iso) => {
    const d = /^\d{4}-\d{2}-\d{2}$/.test(iso) ? new Date(`${iso}T00:00:00Z`) : null;
    return d && !Number.isNaN(d.getTime()) ? new Intl.DateTimeFormat(locale, { dateStyle: 'medium', timeZone: 'UTC' }).format(d) : iso;
  };
  return tr;
}

// Displays and observers follow the meeting without taking part; the lobby was never let in.
export function attendees(state) {
  return state.participants.filter((p) => (p.role === 'ROLE_PARTICIPANT' || p.role === 'ROLE_MODERATOR')
    && p.admission !== 'ADMISSION_STATUS_LOBBY' && p.admission !== 'ADMISSION_STATUS_REMOVED');
}

function optionText(tr, poll, i) {
  if (poll.kind === 'POLL_KIND_YES_NO_ABSTAIN' && i < 3) return tr(['poll.yes', 'poll.no', 'poll.abstain'][i]);
  return poll.options[i] ?? String(i + 1);
}

const nameIn = (state) => {
  const names = new Map(state.participants.map((p) => [p.id, p.displayName]));
  return (id) => names.get(id) || id;
};

function table(cls, head, rows) {
  return h('table', { class: `minutes-table ${cls}` },
    h('thead', {}, h('tr', {}, head.map((c) => h('th', { scope: 'col' }, c)))),
    h('tbody', {}, rows.map((r) => h('tr', {}, r.map((c) => h('td', {}, c))))));
}

const clock = (ms) => h('span', { dir: 'ltr', class: 'num' }, fmtClock(num(ms)));

function dateBlock(tr, state) {
  const start = num(state.startedAtMs);
  const end = num(state.endedAtMs);
  const rows = [];
  if (!start) {
    rows.push([tr('minutes.date'), [num(state.createdAtMs) ? tr.date(num(state.createdAtMs)) : '—', ' · ', tr('minutes.notStarted')]]);
  } else {
    rows.push([tr('minutes.date'), tr.date(start)]);
    rows.push([tr('minutes.time'), end
      ? h('span', {}, h('bdi', {}, tr.time(start)), ' – ', h('bdi', {}, tr.time(end, true)))
      : h('span', {}, h('bdi', {}, tr.time(start, true)), ' · ', tr('minutes.inProgress'))]);
  }
  return h('dl', { class: 'minutes-meta' }, rows.map(([k, v]) => [h('dt', {}, k), h('dd', {}, v)]));
}

function attendanceBlock(tr, state) {
  const people = attendees(state);
  const chairs = people.filter((p) => p.role === 'ROLE_MODERATOR');
  const others = people.filter((p) => p.role !== 'ROLE_MODERATOR');
  const room = others.filter((p) => p.attendance === 'ATTENDANCE_IN_ROOM');
  const remote = others.filter((p) => p.attendance === 'ATTENDANCE_REMOTE');
  const unstated = others.filter((p) => p.attendance !== 'ATTENDANCE_IN_ROOM' && p.attendance !== 'ATTENDANCE_REMOTE');
  const group = (title, list, key) => h('div', { class: 'minutes-attendance-group', dataset: { attendance: key } },
    h('h3', {}, `${title} (${list.length})`),
    list.length
      ? table('attendance', [tr('minutes.name'), tr('minutes.group'), tr('minutes.checkedIn')], list.map((p) => [
        userText(p.displayName),
        tr.group(p.stakeholderGroup),
        num(p.checkedInAtMs) ? h('bdi', {}, tr.time(num(p.checkedInAtMs))) : (p.walkIn ? tr('minutes.walkIn') : '—'),
      ]))
      : h('p', { class: 'muted' }, tr('minutes.nobody')));
  return h('section', { class: 'minutes-section', id: 'minutes-attendance' },
    h('h2', {}, tr('minutes.attendance')),
    h('p', { class: 'minutes-summary' }, tr('minutes.summary', {
      participants: tr.count('minutes.participants', others.length), room: room.length, remote: remote.length,
    })),
    chairs.length ? h('p', {}, h('strong', {}, `${tr('minutes.chair')}: `), chairs.map((p, i) => [i ? '، ' : '', userText(p.displayName)])) : null,
    group(tr('minutes.inRoom'), room, 'in_room'),
    group(tr('minutes.remote'), remote, 'remote'),
    unstated.length ? group(tr('minutes.unstated'), unstated, 'unstated') : null);
}

function pollBlock(tr, state, poll) {
  const name = nameIn(state);
  const n = Math.max(poll.options.length, poll.tally.length, poll.kind === 'POLL_KIND_YES_NO_ABSTAIN' ? 3 : 0);
  const counts = Array.from({ length: n }, (_, i) => num(poll.tally[i]));
  const total = counts.reduce((a, b) => a + b, 0);
  const secret = poll.secrecy === 'POLL_SECRECY_SECRET';
  return h('div', { class: 'minutes-poll', dataset: { poll: poll.id } },
    h('h4', {}, userText(poll.question)),
    h('p', { class: 'muted small' }, [
      tr(`minutes.secrecy.${poll.secrecy}`),
      tr.count('minutes.voters', poll.voterIds.length),
      poll.status === 'POLL_STATUS_CLOSED' ? tr('minutes.closedNote') : tr('minutes.published'),
    ].join(' · ')),
    table('poll-results', [tr('minutes.option'), tr('minutes.votes')], counts.map((c, i) => [
      userText(optionText(tr, poll, i)),
      h('span', { dir: 'ltr', class: 'num' }, `${c} · ${total ? Math.round((c * 100) / total) : 0}%`),
    ])),
    // Named polls record who chose what; a secret poll never does.
    !secret && poll.ballots.length
      ? [h('h5', {}, tr('minutes.ballots')), table('ballots', [tr('minutes.voter'), tr('minutes.choice')], poll.ballots.map((b) => [
        userText(name(b.voterId)),
        b.choices.map((c, i) => [i ? '، ' : '', userText(optionText(tr, poll, num(c)))]),
      ]))]
      : null,
    secret ? h('p', { class: 'muted small' }, tr('minutes.secretNote')) : null);
}

function contributionList(tr, state, list) {
  const name = nameIn(state);
  return h('ul', { class: 'minutes-contributions' }, list.map((c) => h('li', { dataset: { contribution: c.id } },
    h('div', {}, userText(c.text)),
    h('div', { class: 'muted small' }, userText(name(c.authorId)), ' · ', tr.count('minutes.upvotes', num(c.upvotes)),
      c.answered ? [' · ', tr('minutes.answered')] : null))));
}

// Recorded minutes: polls that closed (their tally is the chair's to see) and written input
// that is not hidden.
const recordedPolls = (state) => state.polls.filter((p) => p.status === 'POLL_STATUS_CLOSED' || p.status === 'POLL_STATUS_PUBLISHED');
const visibleContributions = (state) => state.contributions.filter((c) => !c.hidden)
  .sort((a, b) => num(b.upvotes) - num(a.upvotes) || num(a.createdAtMs) - num(b.createdAtMs));

function itemBlock(tr, state, item, index) {
  const name = nameIn(state);
  const turns = state.interventions.filter((x) => x.itemId === item.id);
  const polls = recordedPolls(state).filter((p) => p.itemId === item.id);
  const contributions = visibleContributions(state).filter((c) => c.itemId === item.id);
  const start = num(item.startedAtMs);
  const end = num(item.endedAtMs);
  const sub = (title, body) => [h('h4', {}, title), body];
  return h('section', { class: 'minutes-item', dataset: { item: item.id } },
    h('h3', {}, h('bdi', { class: 'minutes-pos', dir: 'ltr' }, `${index + 1}.`), ' ', userText(item.title)),
    h('p', { class: 'muted small' }, [
      tr(`itemStatus.${item.status}`),
      start ? h('span', {}, h('bdi', {}, tr.time(start)), end ? [' – ', h('bdi', {}, tr.time(end))] : null) : null,
      item.plannedMinutes ? tr('minutes.planned', { n: item.plannedMinutes }) : null,
      item.presenter ? userText(item.presenter) : null,
    ].filter(Boolean).flatMap((x, i) => (i ? [' · ', x] : [x]))),
    item.description ? h('p', { class: 'minutes-description' }, userText(item.description)) : null,
    item.decisions.length
      ? sub(tr('minutes.decisions'), h('ol', { class: 'minutes-decisions' }, item.decisions.map((d) => h('li', {}, userText(d.text)))))
      : null,
    item.actionItems.length
      ? sub(tr('minutes.actions'), table('actions', [tr('minutes.action'), tr('minutes.owner'), tr('minutes.due')], item.actionItems.map((a) => [
        userText(a.text), a.owner ? userText(a.owner) : '—', a.dueDate ? h('bdi', {}, tr.day(a.dueDate)) : '—',
      ])))
      : null,
    polls.length ? sub(tr('minutes.polls'), polls.map((p) => pollBlock(tr, state, p))) : null,
    contributions.length ? sub(tr('minutes.writtenInput'), contributionList(tr, state, contributions)) : null,
    turns.length
      ? sub(tr('minutes.speakers'), table('speakers', [tr('minutes.name'), tr('minutes.group'), tr('minutes.attendanceCol'), tr('minutes.timeCol')],
        turns.map((x) => [userText(name(x.participantId)), tr.group(x.stakeholderGroup), attendanceText(tr, x.attendance), clock(x.durationMs)])))
      : null);
}

function attendanceText(tr, attendance) {
  if (attendance === 'ATTENDANCE_IN_ROOM' || attendance === 'in_room') return tr('minutes.inRoom');
  if (attendance === 'ATTENDANCE_REMOTE' || attendance === 'remote') return tr('minutes.remote');
  return tr('minutes.attUnverified');
}

function speakingBlock(tr, state) {
  // Every group of the meeting, spoken or not, then any other key the figures hold.
  const groups = new Map(state.stakeholderGroups.map((g) => [g, { key: g, speakingMs: 0, turns: 0 }]));
  for (const f of state.equity.byGroup) groups.set(f.key, f);
  const byAtt = new Map([['in_room', { key: 'in_room', speakingMs: 0, turns: 0 }], ['remote', { key: 'remote', speakingMs: 0, turns: 0 }]]);
  for (const f of state.equity.byAttendance) if (f.key !== 'unspecified' || num(f.turns)) byAtt.set(f.key, f);
  const rows = (figures, label) => figures.map((f) => [label(f.key), clock(f.speakingMs), tr.count('minutes.turns', num(f.turns))]);
  const head = (first) => [first, tr('minutes.timeCol'), tr('minutes.turnsCol')];
  return h('section', { class: 'minutes-section', id: 'minutes-speaking' },
    h('h2', {}, tr('minutes.speakingTime')),
    h('h3', {}, tr('minutes.byGroup')),
    table('by-group', head(tr('minutes.group')), rows([...groups.values()], (k) => tr.group(k))),
    h('h3', {}, tr('minutes.byAttendance')),
    table('by-attendance', head(tr('minutes.attendanceCol')), rows([...byAtt.values()], (k) => attendanceText(tr, k))));
}

// The minutes of `state` as a document element in `lang` ('en' or 'ar').
export function renderMinutes(state, lang) {
  const tr = translator(lang);
  const loosePolls = recordedPolls(state).filter((p) => !state.agenda.some((i) => i.id === p.itemId));
  const looseContributions = visibleContributions(state).filter((c) => !state.agenda.some((i) => i.id === c.itemId));
  return h('article', { class: 'minutes-doc', lang, dir: dirOf(lang), id: 'minutes-doc' },
    h('header', { class: 'minutes-head' },
      h('p', { class: 'minutes-kicker' }, tr('minutes.heading')),
      h('h1', {}, userText(state.title)),
      dateBlock(tr, state)),
    attendanceBlock(tr, state),
    h('section', { class: 'minutes-section', id: 'minutes-agenda' },
      h('h2', {}, tr('minutes.agenda')),
      state.agenda.length ? state.agenda.map((item, i) => itemBlock(tr, state, item, i)) : h('p', { class: 'muted' }, tr('minutes.noItems'))),
    loosePolls.length || looseContributions.length
      ? h('section', { class: 'minutes-section', id: 'minutes-other' },
        h('h2', {}, tr('minutes.otherBusiness')),
        loosePolls.map((p) => pollBlock(tr, state, p)),
        looseContributions.length ? [h('h4', {}, tr('minutes.writtenInput')), contributionList(tr, state, looseContributions)] : null)
      : null,
    speakingBlock(tr, state),
    h('footer', { class: 'minutes-foot muted small' }, tr('minutes.generated', { time: `${tr.date(Date.now())} ${tr.time(Date.now(), true)}` })));
}

// ---- the view over the console ------------------------------------------------------------------

let view = null;

// Opens the minutes in place of the console for `client` (its state mirror, kept current while
// open); Close or Escape gives the console back.
export function openMinutes(client) {
  if (view) {
    view.render();
    return view.element;
  }
  let lang = getLang();
  const uiTr = () => translator(getLang());
  const doc = h('div', { class: 'minutes-paper' });
  const langSelect = h('select', { id: 'minutes-lang', onchange: (e) => { lang = e.target.value; render(); } },
    MINUTES_LANGS.map(([code, label]) => h('option', { value: code, lang: code, selected: code === lang }, label)));
  const toolbar = h('div', { class: 'minutes-toolbar' });
  const element = h('section', { id: 'minutes-view', class: 'minutes-view', role: 'region' }, toolbar, doc);
  const renderToolbar = () => {
    const tr = uiTr();
    element.setAttribute('aria-label', tr('minutes.heading'));
    toolbar.replaceChildren(
      h('strong', { class: 'grow' }, tr('minutes.heading')),
      h('label', {}, tr('minutes.language'), ' ', langSelect),
      h('button', { class: 'primary', id: 'minutes-print', type: 'button', onclick: () => window.print() }, tr('minutes.print')),
      h('button', { id: 'minutes-close', type: 'button', onclick: close }, tr('minutes.close')));
  };
  const render = () => {
    if (!client.state) return;
    doc.replaceChildren(renderMinutes(client.state, lang));
  };
  const onState = () => requestAnimationFrame(render);
  const onKey = (e) => { if (e.key === 'Escape') close(); };
  const offLang = onLangChange(renderToolbar);
  function close() {
    client.removeEventListener('state', onState);
    document.removeEventListener('keydown', onKey);
    offLang();
    element.remove();
    document.documentElement.classList.remove('minutes-open');
    view = null;
    document.getElementById('open-minutes')?.focus();
  }
  client.addEventListener('state', onState);
  document.addEventListener('keydown', onKey);
  renderToolbar();
  render();
  document.body.append(element);
  document.documentElement.classList.add('minutes-open');
  window.scrollTo(0, 0);
  element.querySelector('#minutes-print').focus();
  view = { element, render, close };
  return element;
}
