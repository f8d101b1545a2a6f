// Parley web UI: shared helpers (API calls with the CSRF header, live events, status
// badges, local times). Hand-written, no dependencies.
(function () {
  'use strict';

  document.body.classList.remove('no-js');
  document.body.classList.add('js');

  const meta = document.querySelector('meta[name="parley-csrf"]');
  const csrf = meta ? meta.content : '';
  // The path prefix a reverse proxy serves Parley under ('' at the root): every URL the
  // scripts build starts with it.
  const baseMeta = document.querySelector('meta[name="parley-base"]');
  const base = baseMeta ? baseMeta.content : '';

  /** Calls the JSON API with the session cookie and the CSRF header; throws on errors. */
  async function api(method, url, body) {
    const headers = { 'X-Parley-CSRF': csrf, Accept: 'application/json' };
    const init = { method, headers, credentials: 'same-origin' };
    if (body !== undefined) {
      headers['Content-Type'] = 'application/json';
      init.body = JSON.stringify(body);
    }
    const response = await fetch(url, init);
    const text = await response.text();
    let data = null;
    if (text) {
      try { data = JSON.parse(text); } catch (ignored) { data = null; }
    }
    if (response.status === 401) {
      // `next` is a path inside Parley; the sign-in form puts the prefix back.
      const path = location.pathname.indexOf(base + '/') === 0 ? location.pathname.slice(base.length) : '/';
      window.location.href = base + '/login?next=' + encodeURIComponent(path + location.search);
    }
    if (!response.ok) {
      const message = (data && data.error && data.error.message) || ('HTTP ' + response.status);
      const error = new Error(message);
      error.status = response.status;
      error.code = data && data.error ? data.error.code : undefined;
      throw error;
    }
    return data;
  }

  /** Tells screen-reader users (and everyone, via a toast) what just happened. */
  function announce(message, kind) {
    const region = document.getElementById('announcer');
    if (region) {
      region.textContent = '';
      window.setTimeout(function () { region.textContent = message; }, 30);
    }
    let toast = document.getElementById('toast');
    if (!toast) {
      toast = document.createElement('div');
      toast.id = 'toast';
      toast.className = 'toast';
      toast.setAttribute('aria-hidden', 'true');
      document.body.appendChild(toast);
    }
    toast.textContent = message;
    toast.className = 'toast show' + (kind === 'error' ? ' error' : '');
    window.clearTimeout(announce.timer);
    announce.timer = window.setTimeout(function () { toast.className = 'toast'; }, kind === 'error' ? 8000 : 4000);
  }

  /** Live processing events (Server-Sent Events, the session cookie authenticates). */
  function events(onEvent, onReconnect) {
    if (!('EventSource' in window)) return null;
    const source = new EventSource(base + '/api/v1/events');
    let lost = false;
    source.addEventListener('meeting', function (message) {
      try { onEvent(JSON.parse(message.data)); } catch (error) { console.error(error); }
    });
    source.addEventListener('error', function () { lost = true; });
    source.addEventListener('open', function () {
      if (lost && onReconnect) onReconnect();
      lost = false;
    });
    window.addEventListener('pagehide', function () { source.close(); });
    return source;
  }

  const STAGES = ['normalize', 'transcribe', 'diarize', 'attribute', 'summarize', 'index'];
  const STAGE_NAMES = {
    normalize: 'Preparing audio', transcribe: 'Transcribing', diarize: 'Finding speakers',
    attribute: 'Attributing words', summarize: 'Summarising', index: 'Indexing',
  };
  const STATUS_NAMES = {
    local: 'Local', queued: 'Queued', uploading: 'Uploading', processing: 'Processing', synced: 'Ready', failed: 'Failed',
  };
  const ACTIVE = ['queued', 'uploading', 'processing'];

  function stageLabel(stage) {
    if (!stage) return '';
    const position = STAGES.indexOf(stage) + 1;
    return (STAGE_NAMES[stage] || stage) + ' (' + position + '/' + STAGES.length + ')';
  }

  /** Applies a processing event (or status answer) to a card or the meeting header. */
  function applyStatus(container, event) {
    const status = event.status;
    container.dataset.status = status;
    const badge = container.querySelector('[data-role="badge"]');
    if (badge) {
      badge.className = 'badge badge-' + status;
      badge.textContent = STATUS_NAMES[status] || status;
    }
    const row = container.querySelector('[data-role="progress"]');
    if (row) {
      row.hidden = ACTIVE.indexOf(status) < 0;
      const percent = Math.round(Math.max(0, Math.min(1, event.progress || 0)) * 100);
      const bar = row.querySelector('progress');
      if (bar) bar.value = percent;
      const stage = row.querySelector('[data-role="stage"]');
      if (stage) stage.textContent = status === 'queued' && !event.stage ? 'Waiting in the queue' : stageLabel(event.stage);
      const label = row.querySelector('[data-role="percent"]');
      if (label) label.textContent = percent + '%';
    }
  }

  /** Shows server times (rendered in UTC) in the reader's own time zone. */
  function localTimes(root) {
    const format = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'short' });
    (root || document).querySelectorAll('time[datetime]').forEach(function (element) {
      const date = new Date(element.getAttribute('datetime'));
      if (!isNaN(date.getTime())) element.textContent = format.format(date);
    });
  }

  localTimes(document);

  window.Parley = {
    api, csrf, base, announce, events, applyStatus, localTimes, stageLabel, isActive: function (status) {
      return ACTIVE.indexOf(status) >= 0;
    },
  };
})();
