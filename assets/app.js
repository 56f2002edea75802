// c2c — progressive enhancement of the chat page (docs/formatting.md, "The chat page with
// JavaScript"). Every feature works without this file; with it:
// - the connection state is shown, and messages go through an outbox: each is shown at once as
//   "sending", sent one at a time, sent again after a reconnect or a refusal on rate (the
//   client message id makes a re-sent message count once), and handed back if refused;
// - the composer grows, Enter sends and Shift+Enter adds a line, a counter appears near the
//   limit, `@` completes member names, and typing is announced (throttled);
// - times are local (and the time zone is remembered in a cookie for pages without
//   JavaScript), live messages are grouped and separated by day like the server's, the log
//   follows new messages unless the reader scrolled up ("new messages" button);
// - while the tab is hidden, unread messages are counted in the title and on the icon, a
//   divider marks them on return, and opt-in sound and desktop notifications tell of them;
// - each message's "⋯" opens its actions in place (react, reply, edit, delete; without this
//   file it leads to the message's own page), reaction chips toggle, and a reply's quote
//   scrolls to the message it answers (docs/messages.md).
(function () {
  'use strict';

  var GROUP_GAP_MS = 5 * 60 * 1000;

  function randomId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  // A catalogue message with its values: `{name}` placeholders, and plural and select forms
  // (`{n, plural, one {# member} other {# members}}`) chosen by the page language's CLDR rules,
  // as the server does (src/catalog/syntax.rs, docs/translating.md).
  var pageLang = document.documentElement.lang || 'en';
  var plurals = window.Intl && Intl.PluralRules ? new Intl.PluralRules(pageLang) : null;
  var numbers = window.Intl && Intl.NumberFormat ? new Intl.NumberFormat(pageLang, { useGrouping: 'min2' }) : null;
  function number(value) {
    return numbers && /^\d{1,15}$/.test(value) ? numbers.format(Number(value)) : value;
  }
  function fill(template, values) {
    var at = 0;
    function message(count) {
      var out = '';
      while (at < template.length) {
        var c = template[at];
        if (c === '}') break;
        if (c === '{') { out += argument(count); continue; }
        if (c === '#' && count !== undefined) { out += number(count); at++; continue; }
        if (c === "'" && template[at + 1] === "'") { out += "'"; at += 2; continue; }
        if (c === "'" && /[{}#]/.test(template[at + 1] || '')) {
          var end = template.indexOf("'", at + 1);
          if (end < 0) end = template.length;
          out += template.slice(at + 1, end);
          at = end + 1;
          continue;
        }
        out += c;
        at++;
      }
      return out;
    }
    function argument(count) {
      var head = /^\{\s*(\w+)\s*(?:,\s*(plural|select|number)\s*,?)?\s*/.exec(template.slice(at));
      if (!head) { at++; return '{'; }
      at += head[0].length;
      var name = head[1];
      var value = Object.prototype.hasOwnProperty.call(values, name) ? String(values[name]) : '{' + name + '}';
      if (!head[2] || head[2] === 'number') {
        if (template[at] === '}') at++;
        return head[2] === 'number' ? number(value) : value;
      }
      var wanted = head[2] === 'plural'
        ? ['=' + value, plurals ? plurals.select(Number(value)) : 'other', 'other']
        : [value, 'other'];
      var forms = {};
      for (;;) {
        var sel = /^\s*([\w=-]+)\s*\{/.exec(template.slice(at));
        if (!sel) break;
        at += sel[0].length;
        forms[sel[1]] = message(head[2] === 'plural' ? value : count);
        at++;
      }
      var close = template.indexOf('}', at);
      at = close < 0 ? template.length : close + 1;
      for (var i = 0; i < wanted.length; i++) {
        if (Object.prototype.hasOwnProperty.call(forms, wanted[i])) return forms[wanted[i]];
      }
      return '';
    }
    return message(undefined);
  }

  // The time zone, for pages rendered without JavaScript (minutes east of UTC).
  document.cookie = 'tz=' + (-new Date().getTimezoneOffset()) + '; path=/; max-age=31536000; samesite=lax';

  document.querySelectorAll('button.copy').forEach(function (button) {
    var input = document.querySelector(button.dataset.copy);
    if (!input) return;
    var label = button.textContent;
    button.hidden = false;
    button.addEventListener('click', function () {
      function done() {
        button.textContent = button.dataset.copied;
        button.classList.add('done');
        setTimeout(function () { button.textContent = label; button.classList.remove('done'); }, 2000);
      }
      input.select();
      if (navigator.clipboard && window.isSecureContext) {
        navigator.clipboard.writeText(input.value).then(done, function () {
          document.execCommand('copy'); done();
        });
      } else {
        document.execCommand('copy');
        done();
      }
    });
  });

  document.querySelectorAll('button.share-button').forEach(function (button) {
    var input = document.getElementById('share-link');
    if (!navigator.share || !input) return;
    button.hidden = false;
    button.addEventListener('click', function () {
      navigator.share({ title: button.dataset.title, url: input.value }).catch(function () { /* dismissed */ });
    });
  });

  var shell = document.querySelector('.chat-shell');
  if (!shell) return;

  // Reconnect sooner than htmx's default (up to a minute): at most 5 s apart, with jitter, so a
  // tab is back soon after a server restart or an outage ends.
  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retries) {
      return Math.min(5000, 250 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
    };
  }
  var lang = document.documentElement.lang || undefined;
  var me = shell.dataset.me;
  var status = document.getElementById('status');
  var log = document.querySelector('.chat-shell .log');
  var list = document.getElementById('messages');
  var composer = document.getElementById('composer');
  var textarea = document.getElementById('text');
  var counter = document.getElementById('counter');
  var jump = document.getElementById('jump');
  var typingLine = document.getElementById('typing');
  var strings = composer.dataset;
  var maxChars = parseInt(strings.max, 10) || 2000;
  var socket = null;
  var open = false;
  var followLog = true;

  // The outbox lives outside the server-swapped list, so a snapshot never wipes it.
  var outboxList = document.createElement('ol');
  outboxList.className = 'messages outbox';
  outboxList.setAttribute('aria-live', 'polite');
  log.appendChild(outboxList);
  var outbox = [];      // [{id, text, el, replyTo}] or [{act, sent, done}] in the order made
  var inFlight = null;  // the item sent and not yet seen stored
  var resendTimer = 0;
  var waitUntil = 0;

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = outbox.length > 0 && state !== 'live' ? status.dataset.unsent : status.dataset[state];
  }

  // ---- The log: times, grouping, days, marks -------------------------------------------

  function dayKey(d) { return d.getFullYear() + '-' + (d.getMonth() + 1) + '-' + d.getDate(); }

  function decorate() {
    // Days in the browser's zone replace the server's; times here are local, not UTC.
    list.querySelectorAll('li.day, li.notice.zone').forEach(function (el) { el.remove(); });
    var prev = null;
    var prevDay = null;
    list.querySelectorAll('li.msg, li.notice[data-at]').forEach(function (el) {
      var at = new Date(parseInt(el.dataset.at, 10));
      if (isNaN(at)) return;
      var day = dayKey(at);
      if (day !== prevDay) {
        var sep = document.createElement('li');
        sep.className = 'day';
        var label = document.createElement('span');
        label.textContent = at.toLocaleDateString(lang, { weekday: 'long', year: 'numeric', month: 'long', day: 'numeric' });
        sep.appendChild(label);
        el.parentNode.insertBefore(sep, el);
      }
      if (el.classList.contains('msg')) {
        var t = el.querySelector('time');
        if (t && !t.dataset.local) {
          t.textContent = at.toLocaleTimeString(lang, { hour: 'numeric', minute: '2-digit' });
          t.title = at.toLocaleString(lang);
          t.dataset.local = '1';
        }
        var cont = prev && prev.classList.contains('msg') && day === prevDay &&
          prev.dataset.user === el.dataset.user && at - parseInt(prev.dataset.at, 10) <= GROUP_GAP_MS;
        el.classList.toggle('cont', !!cont);
        if (el.dataset.user === me) el.classList.add('mine');
        if ((' ' + (el.dataset.mentions || '') + ' ').indexOf(' ' + me + ' ') >= 0) el.classList.add('mentions-me');
      }
      prev = el;
      prevDay = day;
    });
    shell.querySelectorAll('#members [data-user="' + me + '"]').forEach(function (el) { el.classList.add('me'); });
    markReactions(list);
  }

  function toBottom() { log.scrollTop = log.scrollHeight; }
  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 120; }
  log.addEventListener('scroll', function () { if (nearBottom()) jump.hidden = true; });
  jump.addEventListener('click', function () { toBottom(); jump.hidden = true; });

  // ---- Unread while hidden: title, icon, divider, notifications ------------------------

  var baseTitle = document.title;
  var icon = document.querySelector('link[rel=icon]');
  var baseIcon = icon ? icon.href : '';
  var unread = 0;
  var firstUnread = null;
  var seen = {};
  list.querySelectorAll('li.msg').forEach(function (el) { seen[el.id] = true; });
  var room = location.pathname.split('/')[2] || '';
  var notifyPick = document.getElementById('notify');
  var soundPick = document.getElementById('sound');
  var audio = null;

  function badge(n) {
    if (!icon) return;
    if (n === 0) { icon.href = baseIcon; return; }
    var c = document.createElement('canvas');
    c.width = c.height = 32;
    var g = c.getContext('2d');
    g.fillStyle = '#4f46e5';
    g.beginPath(); g.arc(16, 16, 16, 0, 2 * Math.PI); g.fill();
    g.fillStyle = '#fff';
    g.font = 'bold 18px sans-serif';
    g.textAlign = 'center';
    g.textBaseline = 'middle';
    g.fillText(n > 99 ? '99' : String(n), 16, 17);
    icon.href = c.toDataURL('image/png');
  }

  function showUnread() {
    document.title = unread > 0 ? fill(strings.unreadTitle, { n: unread, title: baseTitle }) : baseTitle;
    badge(unread);
  }

  function beep() {
    try {
      audio = audio || new (window.AudioContext || window.webkitAudioContext)();
      var o = audio.createOscillator();
      var v = audio.createGain();
      o.frequency.value = 880;
      v.gain.setValueAtTime(0.08, audio.currentTime);
      v.gain.exponentialRampToValueAtTime(0.0001, audio.currentTime + 0.25);
      o.connect(v); v.connect(audio.destination);
      o.start(); o.stop(audio.currentTime + 0.25);
    } catch (err) { /* no sound */ }
  }

  function arrived(el) {
    if (el.dataset.user === me) return;
    var mentioned = el.classList.contains('mentions-me');
    var mode = notifyPick ? notifyPick.value : 'off';
    if (document.hidden) {
      unread += 1;
      firstUnread = firstUnread || el;
      showUnread();
    }
    if (!document.hidden || mode === 'off' || (mode === 'mentions' && !mentioned)) return;
    if (soundPick && soundPick.checked) beep();
    if (window.Notification && Notification.permission === 'granted') {
      var who = el.querySelector('.who');
      var text = el.querySelector('.text');
      var n = new Notification(who ? who.textContent : 'c2c', {
        body: text ? text.textContent.slice(0, 140) : '', tag: 'c2c-' + room
      });
      n.onclick = function () { window.focus(); n.close(); };
    }
  }

  document.addEventListener('visibilitychange', function () {
    if (document.hidden) return;
    list.querySelectorAll('li.unread-divider').forEach(function (el) { el.remove(); });
    if (firstUnread && firstUnread.isConnected) {
      var divider = document.createElement('li');
      divider.className = 'unread-divider';
      divider.textContent = strings.newSince;
      firstUnread.parentNode.insertBefore(divider, firstUnread);
    }
    unread = 0;
    firstUnread = null;
    showUnread();
  });

  if (notifyPick) {
    var key = 'c2c-notify-' + room;
    notifyPick.closest('.notify').hidden = false;
    try {
      notifyPick.value = localStorage.getItem(key) || 'off';
      soundPick.checked = localStorage.getItem(key + '-sound') === '1';
    } catch (err) { /* private mode */ }
    notifyPick.addEventListener('change', function () {
      try { localStorage.setItem(key, notifyPick.value); } catch (err) { /* private mode */ }
      if (notifyPick.value !== 'off' && window.Notification && Notification.permission === 'default') {
        Notification.requestPermission();
      }
    });
    soundPick.addEventListener('change', function () {
      try { localStorage.setItem(key + '-sound', soundPick.checked ? '1' : '0'); } catch (err) { /* private mode */ }
    });
  }

  // ---- Scrollback: earlier pages above the log ------------------------------------------

  var loadingEarlier = false;

  function loadEarlier(link) {
    if (loadingEarlier) return;
    loadingEarlier = true;
    fetch('/r/' + room + '/earlier?before=' + encodeURIComponent(link.dataset.before), { credentials: 'same-origin' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.text(); })
      .then(function (html) {
        var item = link.closest('li');
        if (!item || !item.isConnected) return;
        var height = log.scrollHeight;
        var page = document.createElement('template');
        page.innerHTML = html;
        page.content.querySelectorAll('li.msg').forEach(function (el) { seen[el.id] = true; });
        item.replaceWith(page.content);
        decorate();
        // The reader stays where they were; the earlier page is above.
        log.scrollTop += log.scrollHeight - height;
      })
      .catch(function () { /* the link still leads to the earlier page */ })
      .then(function () { loadingEarlier = false; });
  }

  list.addEventListener('click', function (e) {
    var link = e.target.closest('li.earlier a');
    if (!link) return;
    e.preventDefault();
    loadEarlier(link);
  });
  // Only the reader's own scrolling loads earlier pages: a snapshot replacing the list also
  // moves the scroll position to the top for a moment, and must not load anything.
  var readerScrolledAt = 0;
  ['wheel', 'touchmove', 'mousedown'].forEach(function (name) {
    log.addEventListener(name, function () { readerScrolledAt = Date.now(); }, { passive: true });
  });
  document.addEventListener('keydown', function (e) {
    if (['PageUp', 'ArrowUp', 'Home'].indexOf(e.key) >= 0) readerScrolledAt = Date.now();
  });
  log.addEventListener('scroll', function () {
    if (log.scrollTop > 80 || Date.now() - readerScrolledAt > 1500) return;
    var link = list.querySelector('li.earlier a');
    if (link) loadEarlier(link);
  });

  // ---- Typing --------------------------------------------------------------------------

  var typers = {};  // user id -> when their notice expires
  var typedAt = 0;

  function showTyping() {
    var now = Date.now();
    var names = [];
    Object.keys(typers).forEach(function (user) {
      if (typers[user] < now) { delete typers[user]; return; }
      var el = shell.querySelector('#members [data-user="' + user + '"] .member-name');
      if (el) names.push(el.textContent);
    });
    var d = typingLine.dataset;
    typingLine.textContent = names.length === 0 ? '' : names.length === 1 ? fill(d.one, { name: names[0] })
      : names.length === 2 ? fill(d.two, { a: names[0], b: names[1] }) : d.many;
  }
  setInterval(showTyping, 1000);

  function readTypers() {
    var box = document.getElementById('typers');
    if (!box) return;
    box.querySelectorAll('li[data-user]').forEach(function (li) {
      typers[li.dataset.user] = Date.now() + 6000;
      li.remove();
    });
    showTyping();
  }

  // ---- The outbox ----------------------------------------------------------------------

  function pendingItem(text) {
    var li = document.createElement('li');
    li.className = 'msg mine pending';
    var meta = document.createElement('div');
    meta.className = 'meta';
    var state = document.createElement('span');
    state.className = 'sending';
    state.textContent = strings.sending;
    meta.appendChild(state);
    var body = document.createElement('div');
    body.className = 'text';
    body.textContent = text;
    li.appendChild(meta);
    li.appendChild(body);
    outboxList.appendChild(li);
    return li;
  }

  function pump() {
    clearTimeout(resendTimer);
    if (!open || !socket || outbox.length === 0) return;
    var wait = waitUntil - Date.now();
    var head = outbox[0];
    var label = head.el ? head.el.querySelector('.sending') : null;
    if (wait > 0) {
      if (label) label.textContent = fill(strings.waiting, { n: Math.ceil(wait / 1000) });
      resendTimer = setTimeout(pump, Math.min(wait, 1000));
      return;
    }
    if (label) label.textContent = strings.sending;
    inFlight = head;
    if (head.act) {
      head.sent = true;
      socket.sendImmediately(JSON.stringify(head.act));
    } else {
      var frame = { text: head.text, client_id: head.id };
      if (head.replyTo) frame.reply_to = head.replyTo;
      socket.sendImmediately(JSON.stringify(frame));
    }
    // Its fate unknown after a while (a lost frame): send it again; the id keeps it single.
    resendTimer = setTimeout(pump, 10000);
  }

  function settled(item) {
    return item.act ? item.done : !!list.querySelector('li.msg[data-client="' + item.id + '"]');
  }

  function settle() {
    while (outbox.length > 0 && settled(outbox[0])) {
      var done = outbox.shift();
      if (done.el) done.el.remove();
      if (inFlight === done) inFlight = null;
    }
    if (!inFlight) pump();
  }

  // An edit, deletion or reaction: queued behind what is being sent, so a refusal is told to
  // the right one.
  function act(frame) {
    outbox.push({ act: frame });
    if (!inFlight) pump();
  }

  function refused(errorEl) {
    var code = errorEl.dataset.code;
    if (!inFlight || !code) return;
    // Not now (the rate limit, or the store briefly unavailable, as in a failover): keep it
    // queued and send it again after the wait; its id keeps it single.
    if (code === 'RATE_LIMITED' || code === 'SERVICE_UNAVAILABLE') {
      waitUntil = Date.now() + 1000 * (parseInt(errorEl.dataset.retry, 10) || 1);
      inFlight = null;
      pump();
      return;
    }
    var item = inFlight;
    inFlight = null;
    outbox.splice(outbox.indexOf(item), 1);
    // A refused action is dropped (an edit stays open in its editor, its text kept).
    if (item.act) { pump(); return; }
    // Refused for what it is (too long, empty…): hand it back, never lose it.
    item.el.remove();
    if (!textarea.value.trim()) {
      textarea.value = item.text;
      grow();
      count();
    }
    textarea.focus();
    pump();
  }

  function submit() {
    var text = textarea.value;
    if (!text.trim()) return;
    if (text.length > maxChars) { count(); textarea.focus(); return; }
    var item = { id: randomId(), text: text, replyTo: replyTo };
    typedAt = 0;  // the message ends this bout of typing; the next one is announced at once
    item.el = pendingItem(text);
    cancelReply();
    outbox.push(item);
    textarea.value = '';
    grow();
    count();
    followLog = true;
    toBottom();
    setStatus(open ? 'live' : 'reconnecting');
    if (!inFlight) pump();
  }

  // ---- The composer --------------------------------------------------------------------

  function grow() {
    textarea.style.height = 'auto';
    textarea.style.height = Math.min(textarea.scrollHeight + 2, window.innerHeight * 0.4) + 'px';
  }

  function count() {
    var left = maxChars - textarea.value.length;
    counter.textContent = left < 0 ? fill(strings.over, { n: -left }) : left <= 200 ? fill(strings.left, { n: left }) : '';
    counter.classList.toggle('over', left < 0);
    textarea.setAttribute('aria-invalid', left < 0 ? 'true' : 'false');
  }

  // Mention completion: `@` + the start of a member's name; arrows, Tab or Enter pick.
  var picker = document.createElement('ul');
  picker.className = 'mention-picker';
  picker.id = 'mention-picker';
  picker.setAttribute('role', 'listbox');
  picker.hidden = true;
  composer.appendChild(picker);
  var choices = [];
  var chosen = 0;
  var mentionStart = -1;

  function closePicker() { picker.hidden = true; choices = []; mentionStart = -1; }

  function openPicker() {
    var caret = textarea.selectionStart;
    var before = textarea.value.slice(0, caret);
    var m = /(^|[^\w@])@([^@\s]{0,32})$/.exec(before);
    if (!m) { closePicker(); return; }
    var typed = m[2].toLowerCase();
    var found = [];
    shell.querySelectorAll('#members li[data-user]').forEach(function (li) {
      var name = li.querySelector('.member-name').textContent;
      if (li.dataset.user !== me && name.toLowerCase().indexOf(typed) === 0) {
        found.push({ name: name, online: li.classList.contains('online') });
      }
    });
    found.sort(function (a, b) { return (b.online ? 1 : 0) - (a.online ? 1 : 0); });
    choices = found.slice(0, 6).map(function (f) { return f.name; });
    if (choices.length === 0) { closePicker(); return; }
    mentionStart = caret - m[2].length - 1;
    chosen = Math.min(chosen, choices.length - 1);
    picker.textContent = '';
    choices.forEach(function (name, i) {
      var li = document.createElement('li');
      li.setAttribute('role', 'option');
      li.id = 'mention-' + i;
      li.setAttribute('aria-selected', i === chosen ? 'true' : 'false');
      li.textContent = '@' + name;
      li.addEventListener('mousedown', function (e) { e.preventDefault(); pick(i); });
      picker.appendChild(li);
    });
    picker.hidden = false;
    textarea.setAttribute('aria-activedescendant', 'mention-' + chosen);
  }

  function pick(i) {
    var caret = textarea.selectionStart;
    var value = textarea.value;
    var insert = '@' + choices[i] + ' ';
    textarea.value = value.slice(0, mentionStart) + insert + value.slice(caret);
    var at = mentionStart + insert.length;
    textarea.setSelectionRange(at, at);
    closePicker();
    textarea.removeAttribute('aria-activedescendant');
    count();
  }

  textarea.addEventListener('keydown', function (e) {
    if (!picker.hidden) {
      if (e.key === 'ArrowDown' || e.key === 'ArrowUp') {
        e.preventDefault();
        chosen = (chosen + (e.key === 'ArrowDown' ? 1 : choices.length - 1)) % choices.length;
        openPicker();
        return;
      }
      if (e.key === 'Tab' || (e.key === 'Enter' && !e.shiftKey)) { e.preventDefault(); pick(chosen); return; }
      if (e.key === 'Escape') { e.preventDefault(); closePicker(); return; }
    }
    if (e.key === 'Enter' && !e.shiftKey && !e.isComposing && e.keyCode !== 229) {
      e.preventDefault();
      submit();
    }
  });

  textarea.addEventListener('input', function () {
    grow();
    count();
    chosen = 0;
    openPicker();
    if (open && socket && textarea.value.trim() && Date.now() - typedAt > 3000) {
      typedAt = Date.now();
      socket.sendImmediately(JSON.stringify({ typing: true }));
    }
  });
  textarea.addEventListener('blur', function () { setTimeout(closePicker, 100); });

  composer.addEventListener('submit', function (e) {
    // The page's own send path takes over once the socket has opened at least once; before
    // that (scripts blocked, socket refused), the form posts as it would without JavaScript.
    if (!socket) return;
    e.preventDefault();
    submit();
  });

  // ---- The socket ----------------------------------------------------------------------

  shell.addEventListener('htmx:wsConnecting', function () { setStatus(socket ? 'reconnecting' : 'connecting'); });
  shell.addEventListener('htmx:wsOpen', function (e) {
    socket = e.detail.socketWrapper;
    open = true;
    inFlight = null;
    setStatus('live');
    pump();
  });
  shell.addEventListener('htmx:wsClose', function (e) {
    var code = e.detail && e.detail.event ? e.detail.event.code : 0;
    open = false;
    inFlight = null;
    clearTimeout(resendTimer);
    // A reaction or deletion whose fate is unknown is not sent twice (a second toggle would
    // undo it); the snapshot shows what happened. An edit is sent again: that changes nothing.
    if (outbox.length > 0 && outbox[0].act && outbox[0].sent && outbox[0].act.act !== 'edit') outbox.shift();
    setStatus([1006, 1011, 1012, 1013].indexOf(code) >= 0 ? 'reconnecting' : 'closed');
    if (code === 1008) {
      outbox.forEach(function (item) { item.el.querySelector('.sending').textContent = strings.notSent; item.el.classList.add('failed'); });
    }
  });
  shell.addEventListener('htmx:wsBeforeMessage', function () { followLog = followLog || nearBottom(); });
  shell.addEventListener('htmx:wsAfterMessage', function (e) {
    var data = e.detail && typeof e.detail.message === 'string' ? e.detail.message : '';
    if (data.indexOf('id="typers"') >= 0) readTypers();
    if (data.indexOf('id="room-title"') >= 0) {
      // Renamed: the tab follows the heading.
      baseTitle = document.getElementById('room-title').textContent.replace(/\s+/g, ' ').trim() + ' — c2c';
      showUnread();
    }
    if (data.indexOf('id="tx-') >= 0 || data.indexOf('id="rx-') >= 0) amended(data);
    if (data.indexOf('id="composer-error"') >= 0) {
      var errorEl = document.getElementById('composer-error');
      if (errorEl && errorEl.textContent) refused(errorEl);
    }
    if (data.indexOf('id="messages"') < 0 && data.indexOf('id="members"') < 0) return;
    decorate();
    var grew = false;
    list.querySelectorAll('li.msg').forEach(function (el) {
      if (seen[el.id]) return;
      seen[el.id] = true;
      grew = true;
      delete typers[el.dataset.user];
      if (data.indexOf('hx-swap-oob="beforeend"') >= 0) arrived(el);
    });
    showTyping();
    settle();
    if (followLog) {
      toBottom();
    } else if (grew) {
      jump.hidden = false;
    }
    followLog = false;
  });
  window.addEventListener('resize', function () { if (followLog || nearBottom()) toBottom(); });

  // ---- Message actions (docs/messages.md) ----------------------------------------------

  var replyTo = 0;
  var replying = document.getElementById('replying');
  var palette = (strings.palette || '').split(' ').filter(Boolean);
  var editWindow = parseInt(strings.editWindow, 10) || 0;
  var isOwner = strings.owner === '1';
  var menu = null;

  function seqOf(li) { return parseInt(li.id.replace('msg-', ''), 10); }

  // Chips of reactions the reader made are marked.
  function markReactions(root) {
    root.querySelectorAll('.rx .chip').forEach(function (chip) {
      var by = ' ' + (chip.dataset.by || '') + ' ';
      chip.classList.toggle('mine', by.indexOf(' ' + me + ' ') >= 0);
      // With the script, a chip toggles in place: a button, pressed when the reaction is yours.
      chip.setAttribute('role', 'button');
      chip.setAttribute('aria-pressed', chip.classList.contains('mine') ? 'true' : 'false');
    });
  }

  // A message's text or reactions were swapped: the action that did it is settled, and a
  // deleted message loses its actions.
  function amended(data) {
    var re = /id="(tx|rx)-(\d+)"/g;
    var m;
    while ((m = re.exec(data)) !== null) {
      var target = parseInt(m[2], 10);
      outbox.forEach(function (item) { if (item.act && item.act.target === target) item.done = true; });
      var li = document.getElementById('msg-' + target);
      if (!li) continue;
      if (li.querySelector('.tombstone')) {
        li.classList.add('deleted');
        var acts = li.querySelector('.acts');
        if (acts) acts.remove();
      }
      var editor = li.querySelector('.editor');
      if (editor && m[1] === 'tx') editor.remove();
      var text = li.querySelector('.text');
      if (text) text.hidden = false;
      markReactions(li);
    }
    settle();
  }

  function closeMenu() {
    if (!menu) return;
    var anchor = menu.parentNode && menu.parentNode.querySelector('a.acts');
    if (anchor) anchor.setAttribute('aria-expanded', 'false');
    menu.remove();
    menu = null;
  }

  function button(label, onClick, cls) {
    var b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    if (cls) b.className = cls;
    b.addEventListener('click', function (e) { e.preventDefault(); closeMenu(); onClick(); });
    return b;
  }

  function react(seq, emoji) { act({ act: 'react', target: seq, emoji: emoji }); }

  function startReply(li) {
    var who = li.querySelector('.meta .who');
    var text = li.querySelector('.text');
    replyTo = seqOf(li);
    replying.querySelector('.replying-label').textContent =
      fill(strings.replyingTo, { name: who ? who.textContent : '' }) + ': ' + (text ? text.textContent.slice(0, 80) : '');
    replying.hidden = false;
    textarea.focus();
  }

  function cancelReply() {
    replyTo = 0;
    replying.hidden = true;
  }
  replying.querySelector('.cancel-reply').addEventListener('click', function () { cancelReply(); textarea.focus(); });

  // The editor starts from the message's own text (as typed, not as shown), read from the
  // message's page, where its edit form holds it.
  function startEdit(li) {
    var text = li.querySelector('.text');
    if (!text || li.querySelector('.editor')) return;
    var seq = seqOf(li);
    fetch('/r/' + room + '/m/' + seq, { credentials: 'same-origin' })
      .then(function (r) { return r.ok ? r.text() : ''; })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, 'text/html');
        var raw = page.getElementById('edit-text');
        if (raw && !li.querySelector('.editor')) openEditor(li, text, seq, raw.value);
      })
      .catch(function () { /* the message's page still offers the edit form */ });
  }

  function openEditor(li, text, seq, value) {
    var form = document.createElement('form');
    form.className = 'editor';
    var area = document.createElement('textarea');
    area.rows = 2;
    area.setAttribute('aria-label', strings.edit);
    area.value = value;
    function close() { form.remove(); text.hidden = false; }
    var save = document.createElement('button');
    save.type = 'submit';
    save.className = 'primary';
    save.textContent = strings.save;
    var cancel = button(strings.cancel, close);
    form.appendChild(area);
    form.appendChild(save);
    form.appendChild(cancel);
    form.addEventListener('submit', function (e) {
      e.preventDefault();
      if (!area.value.trim()) return;
      act({ act: 'edit', target: seq, text: area.value });
    });
    area.addEventListener('keydown', function (e) {
      if (e.key === 'Enter' && !e.shiftKey && !e.isComposing) { e.preventDefault(); form.requestSubmit(); }
      if (e.key === 'Escape') { e.preventDefault(); close(); }
    });
    text.hidden = true;
    text.parentNode.insertBefore(form, text.nextSibling);
    area.focus();
  }

  function openMenu(li, anchor) {
    closeMenu();
    var seq = seqOf(li);
    var mine = li.dataset.user === me;
    menu = document.createElement('div');
    menu.className = 'act-menu';
    menu.setAttribute('role', 'group');
    menu.setAttribute('aria-label', anchor.getAttribute('aria-label'));
    var row = document.createElement('div');
    row.className = 'palette';
    palette.forEach(function (emoji) { row.appendChild(button(emoji, function () { react(seq, emoji); }, 'chip')); });
    row.appendChild(button('+', function () {
      var emoji = window.prompt(strings.otherEmoji);
      if (emoji && emoji.trim()) react(seq, emoji.trim());
    }, 'chip more'));
    menu.appendChild(row);
    menu.appendChild(button(strings.reply, function () { startReply(li); }));
    if (mine && Date.now() - parseInt(li.dataset.at, 10) < editWindow) {
      menu.appendChild(button(strings.edit, function () { startEdit(li); }));
    }
    if (mine || isOwner) {
      menu.appendChild(button(strings.delete, function () {
        if (window.confirm(strings.deleteConfirm)) act({ act: 'delete', target: seq });
      }, 'danger'));
    }
    li.appendChild(menu);
    var first = menu.querySelector('button');
    if (first) first.focus();
    anchor.setAttribute('aria-expanded', 'true');
  }

  list.addEventListener('click', function (e) {
    var acts = e.target.closest('a.acts');
    var chip = e.target.closest('.rx a.chip');
    var quote = e.target.closest('a.quote');
    if (acts && socket) {
      e.preventDefault();
      var li = acts.closest('li.msg');
      if (menu && menu.parentNode === li) { closeMenu(); return; }
      openMenu(li, acts);
    } else if (chip && socket) {
      e.preventDefault();
      react(seqOf(chip.closest('li.msg')), chip.dataset.emoji);
    } else if (quote) {
      var target = document.getElementById('msg-' + quote.dataset.seq);
      if (!target) return;  // not on the page: the link opens the log where it is
      e.preventDefault();
      target.scrollIntoView({ block: 'center', behavior: 'smooth' });
      target.classList.add('flash');
      setTimeout(function () { target.classList.remove('flash'); }, 1500);
    }
  });
  document.addEventListener('click', function (e) {
    if (menu && !menu.contains(e.target) && !e.target.closest('a.acts')) closeMenu();
  });
  document.addEventListener('keydown', function (e) {
    if (e.key === 'Escape' && menu) { closeMenu(); }
  });

  setStatus('connecting');
  composer.querySelector('.keys').hidden = false;
  textarea.rows = 1;
  decorate();
  grow();
  count();
  toBottom();
})();
