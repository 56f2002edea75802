// c2c — progressive enhancement of the chat page. Every feature works without this file;
// with it, the connection state is shown, the composer clears and keeps a fresh client
// message id (so a message re-sent after a reconnect is stored once), times show in local
// time, and the log follows new messages.
(function () {
  'use strict';

  function randomId() {
    var bytes = new Uint8Array(12);
    crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ('0' + b.toString(16)).slice(-2);
    }).join('');
  }

  function localizeTimes(root) {
    root.querySelectorAll('time[datetime]').forEach(function (t) {
      var d = new Date(t.getAttribute('datetime'));
      if (!isNaN(d)) {
        t.textContent = d.toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
        t.title = d.toLocaleString();
      }
    });
  }

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

  var shell = document.querySelector('.chat-shell');
  if (!shell) return;

  // Reconnect sooner than htmx's default (up to a minute): at most 5 s apart, with jitter, so a
  // tab is back soon after a server restart or an outage ends.
  if (window.htmx) {
    htmx.config.wsReconnectDelay = function (retries) {
      return Math.min(5000, 250 * Math.pow(2, retries)) * (0.5 + Math.random() / 2);
    };
  }
  var me = shell.dataset.me;
  var status = document.getElementById('status');
  var log = document.querySelector('.chat-shell .log');
  var open = false;
  var unsent = 0;
  var followLog = true;

  function setStatus(state) {
    status.dataset.state = state;
    status.textContent = unsent > 0 && state !== 'live' ? status.dataset.unsent : status.dataset[state];
  }

  function markMine() {
    shell.querySelectorAll('[data-user="' + me + '"]').forEach(function (el) {
      el.classList.add(el.classList.contains('member') ? 'me' : 'mine');
    });
  }

  function toBottom() { log.scrollTop = log.scrollHeight; }

  function nearBottom() { return log.scrollHeight - log.scrollTop - log.clientHeight < 120; }

  setStatus('connecting');
  localizeTimes(document.getElementById('messages'));
  markMine();
  toBottom();

  shell.addEventListener('htmx:wsConnecting', function () { setStatus(open ? 'reconnecting' : 'connecting'); });
  shell.addEventListener('htmx:wsOpen', function () { open = true; unsent = 0; setStatus('live'); });
  shell.addEventListener('htmx:wsClose', function (e) {
    var code = e.detail && e.detail.event ? e.detail.event.code : 0;
    open = false;
    setStatus([1006, 1011, 1012, 1013].indexOf(code) >= 0 ? 'reconnecting' : 'closed');
  });
  shell.addEventListener('htmx:wsBeforeMessage', function () { followLog = followLog || nearBottom(); });
  shell.addEventListener('htmx:wsAfterMessage', function () {
    localizeTimes(document.getElementById('messages'));
    markMine();
    if (followLog) toBottom();
    followLog = false;
  });

  var composer = document.getElementById('composer');
  composer.addEventListener('htmx:wsConfigSend', function (e) {
    var text = composer.querySelector('[name=text]');
    if (!text.value.trim()) { e.preventDefault(); return; }
    text.value = '';
    composer.querySelector('[name=client_id]').value = randomId();
    followLog = true;
    if (!open) { unsent += 1; setStatus('reconnecting'); }
  });
})();
