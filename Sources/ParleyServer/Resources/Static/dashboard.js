// Dashboard: live status on the cards (SSE), cards for new meetings, refreshed cards
// when processing finishes. The cards themselves are rendered by the server.
(function () {
  'use strict';
  const P = window.Parley;
  const list = document.getElementById('cards');
  if (!list) return;
  const scope = list.dataset.scope || 'all';
  const firstPage = list.dataset.firstPage === 'true';
  const pending = new Map();

  function findCard(id) {
    return list.querySelector('.card[data-meeting-id="' + CSS.escape(id) + '"]');
  }

  /** Fetches the server-rendered card; replaces the old one or, with `insert`, adds it on top. */
  async function loadCard(id, insert) {
    if (pending.has(id)) return pending.get(id);
    const job = (async function () {
      const response = await fetch(P.base + '/meetings/' + encodeURIComponent(id) + '/card?scope=' + encodeURIComponent(scope),
        { credentials: 'same-origin' });
      if (response.status !== 200) return null;
      const template = document.createElement('template');
      template.innerHTML = (await response.text()).trim();
      const card = template.content.firstElementChild;
      if (!card) return null;
      P.localTimes(card);
      const existing = findCard(id);
      if (existing) {
        existing.replaceWith(card);
      } else if (insert) {
        list.prepend(card);
        const empty = document.getElementById('no-meetings');
        if (empty) empty.remove();
      }
      return card;
    })();
    pending.set(id, job);
    try {
      return await job;
    } catch (error) {
      return null; // offline or navigating away: the next event or reconnect refreshes it
    } finally {
      pending.delete(id);
    }
  }

  function onEvent(event) {
    const card = findCard(event.meeting_id);
    if (!card) {
      // A meeting we do not show yet (uploaded elsewhere): only the first page lists newest ones.
      if (firstPage) loadCard(event.meeting_id, true);
      return;
    }
    const before = card.dataset.status;
    P.applyStatus(card, event);
    const settled = event.status === 'synced' || event.status === 'failed';
    // Finished (speakers, summary and duration are new) or edited (names changed).
    if (settled) loadCard(event.meeting_id, false);
    if (before !== event.status && settled) {
      const title = card.querySelector('.card-title');
      P.announce((title ? title.textContent.trim() : 'A meeting') + (event.status === 'synced' ? ' is ready.' : ' failed.'));
    }
  }

  /** After a dropped event stream, re-read the cards that were still in progress. */
  function onReconnect() {
    list.querySelectorAll('.card').forEach(function (card) {
      if (P.isActive(card.dataset.status)) loadCard(card.dataset.meetingId, false);
    });
  }

  P.events(onEvent, onReconnect);
  P.dashboard = {
    show: function (id) { return loadCard(id, firstPage); },
  };
})();
