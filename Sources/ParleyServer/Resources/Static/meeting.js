// Meeting page: seek from words, times and #t= links; highlight the segment and word
// being played; correcting a segment's words; speaker renames, merges and suggestions;
// re-process, cancel, delete; live processing status.
(function () {
  'use strict';
  const P = window.Parley;
  const head = document.getElementById('meeting-head');
  if (!head) return;
  const meetingId = head.dataset.meetingId;
  const base = P.base + '/api/v1/meetings/' + encodeURIComponent(meetingId);
  const audio = document.getElementById('audio');
  const transcript = document.getElementById('transcript');
  const follow = document.getElementById('follow');

  // ---- Playback: words and segments in time order ------------------------------------
  const segments = transcript ? Array.from(transcript.querySelectorAll('.seg')) : [];
  const segmentStarts = segments.map(function (segment) { return parseFloat(segment.dataset.start); });
  const segmentEnds = segments.map(function (segment) { return parseFloat(segment.dataset.end); });
  let words = [], wordStarts = new Float64Array(0), wordSegment = new Int32Array(0);
  /** (Re)reads the word spans: at load, and after a segment's words were corrected. */
  function indexWords() {
    words = transcript ? Array.from(transcript.querySelectorAll('.w')) : [];
    wordStarts = new Float64Array(words.length);
    wordSegment = new Int32Array(words.length);
    const position = new Map(segments.map(function (segment, index) { return [segment, index]; }));
    words.forEach(function (word, index) {
      wordStarts[index] = parseFloat(word.dataset.start);
      const segment = position.get(word.closest('.seg'));
      wordSegment[index] = segment === undefined ? -1 : segment;
    });
  }
  indexWords();

  /** Index of the last start ≤ t, or -1. */
  function lastAtOrBefore(starts, t) {
    let low = 0, high = starts.length - 1, found = -1;
    while (low <= high) {
      const middle = (low + high) >> 1;
      if (starts[middle] <= t) { found = middle; low = middle + 1; } else { high = middle - 1; }
    }
    return found;
  }

  let activeSegment = -1, activeWord = -1;

  function highlight(t, scroll) {
    let segment = lastAtOrBefore(segmentStarts, t + 0.05);
    if (segment >= 0 && t > segmentEnds[segment] + 0.3) segment = -1;
    let word = lastAtOrBefore(wordStarts, t + 0.05);
    if (word >= 0 && wordSegment[word] !== segment) word = -1;
    if (segment !== activeSegment) {
      if (activeSegment >= 0) segments[activeSegment].classList.remove('current');
      if (segment >= 0) {
        segments[segment].classList.add('current');
        if (scroll) keepInView(segments[segment]);
      }
      activeSegment = segment;
    }
    if (word !== activeWord) {
      if (activeWord >= 0) {
        words[activeWord].classList.remove('current');
        words[activeWord].removeAttribute('aria-current');
      }
      if (word >= 0) {
        words[word].classList.add('current');
        words[word].setAttribute('aria-current', 'true');
      }
      activeWord = word;
    }
  }

  function keepInView(element) {
    const box = element.getBoundingClientRect();
    const player = document.getElementById('player');
    const top = player ? player.getBoundingClientRect().bottom : 0;
    if (box.top < top + 8 || box.bottom > window.innerHeight - 8) {
      const reduce = window.matchMedia('(prefers-reduced-motion: reduce)').matches;
      window.scrollBy({ top: box.top - top - window.innerHeight * 0.25, behavior: reduce ? 'auto' : 'smooth' });
    }
  }

  let frame = 0;
  function tick() {
    highlight(audio.currentTime, follow ? follow.checked : true);
    frame = audio.paused ? 0 : window.requestAnimationFrame(tick);
  }

  /** Seeks the player to `seconds` (and plays when `play`); the view follows. */
  function seek(seconds, play) {
    if (!audio || !isFinite(seconds)) return;
    const apply = function () {
      audio.currentTime = Math.max(0, seconds);
      highlight(seconds, true);
      if (play) {
        const attempt = audio.play();
        if (attempt && attempt.catch) attempt.catch(function () { /* autoplay blocked: stay paused */ });
      }
    };
    if (audio.readyState >= 1) apply();
    else audio.addEventListener('loadedmetadata', apply, { once: true });
    highlight(seconds, true);
  }

  function timeFromHash() {
    const match = /^#t=(\d+(?:\.\d+)?)$/.exec(window.location.hash);
    return match ? parseFloat(match[1]) : null;
  }

  if (audio) {
    audio.addEventListener('play', function () { if (!frame) frame = window.requestAnimationFrame(tick); });
    audio.addEventListener('seeked', function () { highlight(audio.currentTime, false); });
    audio.addEventListener('timeupdate', function () { if (!frame) highlight(audio.currentTime, false); });
  }

  if (transcript) {
    transcript.addEventListener('click', function (event) {
      const word = event.target.closest('.w');
      if (word && !window.getSelection().toString()) seek(parseFloat(word.dataset.start), true);
    });
  }

  document.addEventListener('click', function (event) {
    const link = event.target.closest('a.ts');
    if (!link) return;
    const match = /#t=(\d+(?:\.\d+)?)$/.exec(link.getAttribute('href') || '');
    if (!match) return;
    event.preventDefault();
    history.replaceState(null, '', '#t=' + match[1]);
    seek(parseFloat(match[1]), true);
  });

  window.addEventListener('hashchange', function () {
    const t = timeFromHash();
    if (t !== null) seek(t, true);
  });
  const initial = timeFromHash();
  if (initial !== null) seek(initial, true);

  // ---- Correcting words: Edit (or double-click), Enter saves, Esc cancels, Tab goes on --
  /** The segment's text element rebuilt from the API's words (same markup as the server's). */
  function renderWords(element, segment) {
    element.textContent = '';
    segment.words.forEach(function (word, index) {
      if (index > 0) element.appendChild(document.createTextNode(' '));
      const span = document.createElement('span');
      span.className = 'w';
      span.dataset.start = String(word.start);
      span.textContent = word.word;
      element.appendChild(span);
    });
    if (!segment.words.length) element.textContent = segment.text;
  }

  function applySegment(row, segment) {
    renderWords(row.querySelector('.seg-text'), segment);
    if (segment.corrected) row.setAttribute('data-corrected', ''); else row.removeAttribute('data-corrected');
    row.querySelector('.seg-revert').hidden = !segment.corrected;
    activeWord = -1;
    indexWords();
  }

  function edit(row) {
    const text = row.querySelector('.seg-text');
    if (!text || row.querySelector('.seg-editor')) return;
    const original = text.innerHTML;
    const field = document.createElement('textarea');
    field.className = 'seg-editor';
    field.value = text.textContent.trim();
    field.rows = Math.max(1, Math.ceil(field.value.length / 70));
    field.setAttribute('aria-label', 'Words of the segment at ' + row.querySelector('.ts').textContent
      + ' (Enter saves, Escape cancels, Tab saves and goes to the next segment)');
    text.textContent = '';
    text.appendChild(field);
    field.focus();
    field.select();
    let done = false;
    function cancel() {
      if (done) return;
      done = true;
      text.innerHTML = original;
    }
    async function save(next) {
      if (done) return;
      const value = field.value.replace(/\s+/g, ' ').trim();
      if (value === text.dataset.before || value === '') { cancel(); if (next) edit(next); return; }
      done = true;
      field.disabled = true;
      try {
        const detail = await P.api('PATCH', base + '/segments/' + row.dataset.index, { text: value });
        applySegment(row, detail.transcript.segments[Number(row.dataset.index)]);
        P.announce('Saved the correction.');
        if (next) edit(next);
      } catch (error) {
        text.innerHTML = original;
        P.announce('Could not save the correction: ' + error.message, 'error');
      }
    }
    text.dataset.before = field.value;
    field.addEventListener('keydown', function (event) {
      if (event.key === 'Enter' && !event.shiftKey) { event.preventDefault(); save(null); }
      else if (event.key === 'Escape') { event.preventDefault(); cancel(); row.querySelector('.seg-edit').focus(); }
      else if (event.key === 'Tab') {
        event.preventDefault();
        const rows = Array.from(transcript.querySelectorAll('.seg'));
        const at = rows.indexOf(row);
        save(rows[event.shiftKey ? at - 1 : at + 1] || null);
      }
    });
    field.addEventListener('blur', function () { window.setTimeout(cancel, 150); });
  }

  if (transcript) {
    transcript.addEventListener('click', async function (event) {
      const row = event.target.closest('.seg');
      if (!row) return;
      if (event.target.closest('.seg-edit')) edit(row);
      if (event.target.closest('.seg-revert')) {
        try {
          const detail = await P.api('PATCH', base + '/segments/' + row.dataset.index, { revert_text: true });
          applySegment(row, detail.transcript.segments[Number(row.dataset.index)]);
          P.announce('Back to the machine\'s words.');
        } catch (error) {
          P.announce('Could not revert: ' + error.message, 'error');
        }
      }
    });
    transcript.addEventListener('dblclick', function (event) {
      const row = event.target.closest('.seg');
      if (row && event.target.closest('.seg-text')) edit(row);
    });
  }

  const replaceForm = document.getElementById('replace-form');
  if (replaceForm && transcript) {
    replaceForm.addEventListener('submit', async function (event) {
      event.preventDefault();
      const find = replaceForm.elements.find.value.trim();
      const button = replaceForm.querySelector('button');
      button.disabled = true;
      try {
        const before = transcript.querySelectorAll('.seg[data-corrected]').length;
        const detail = await P.api('POST', base + '/transcript/replace', { find: find, replace: replaceForm.elements.replace.value });
        transcript.querySelectorAll('.seg').forEach(function (row) {
          const segment = detail.transcript.segments[Number(row.dataset.index)];
          if (segment) applySegment(row, segment);
        });
        const after = transcript.querySelectorAll('.seg[data-corrected]').length;
        P.announce('Replaced "' + find + '"' + (after > before ? ' in ' + (after - before) + ' more line(s).' : '.'));
        offerVocabulary(replaceForm.elements.replace.value.trim());
      } catch (error) {
        P.announce(error.status === 404 ? '"' + find + '" is not in this transcript.' : 'Could not replace: ' + error.message,
          error.status === 404 ? undefined : 'error');
      } finally {
        button.disabled = false;
      }
    });
  }

  // A name fixed by find-and-replace is one Whisper will likely mishear again: offer to put
  // it in the user's vocabulary, which the next transcription is told about.
  const offer = document.getElementById('vocabulary-offer');
  function offerVocabulary(term) {
    if (!offer || !term) return;
    offer.dataset.term = term;
    offer.querySelector('.offer-text').textContent = 'Add "' + term + '" to your vocabulary, so the next transcriptions spell it this way?';
    offer.hidden = false;
  }
  if (offer) {
    document.getElementById('vocabulary-add').addEventListener('click', async function () {
      const term = offer.dataset.term;
      try {
        const current = await P.api('GET', P.base + '/api/v1/vocabulary');
        const known = current.terms.some(function (existing) { return existing.toLowerCase() === term.toLowerCase(); });
        if (!known) await P.api('PUT', P.base + '/api/v1/vocabulary', { terms: current.terms.concat([term]) });
        offer.hidden = true;
        P.announce(known ? '"' + term + '" was already in your vocabulary.' : 'Added "' + term + '" to your vocabulary.');
      } catch (error) {
        P.announce('Could not add it: ' + error.message, 'error');
      }
    });
  }

  // ---- Speakers ----------------------------------------------------------------------
  function applySpeakers(detail) {
    if (!detail || !detail.transcript) return;
    detail.transcript.speakers.forEach(function (speaker) {
      const name = speaker.custom_name || speaker.display_name;
      document.querySelectorAll('[data-speaker-name="' + CSS.escape(speaker.id) + '"]').forEach(function (element) {
        element.textContent = name;
      });
      const field = document.getElementById('rename-' + speaker.id);
      if (field) field.value = speaker.custom_name || '';
      if (!speaker.suggested) {
        const item = document.querySelector('.speaker[data-speaker="' + CSS.escape(speaker.id) + '"] [data-role="suggestion"]');
        if (item) item.remove();
      }
    });
  }

  function speakerURL(id) { return base + '/speakers/' + encodeURIComponent(id); }

  document.querySelectorAll('form.rename').forEach(function (form) {
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      const field = form.querySelector('input');
      const name = field.value.trim();
      const button = form.querySelector('button');
      button.disabled = true;
      try {
        applySpeakers(await P.api('PATCH', speakerURL(form.dataset.speaker), { custom_name: name || null }));
        P.announce(name ? 'Renamed to ' + name + '.' : 'Name cleared.');
        const details = form.closest('details');
        if (details) details.open = false;
      } catch (error) {
        P.announce('Could not rename: ' + error.message, 'error');
      } finally {
        button.disabled = false;
      }
    });
  });

  document.querySelectorAll('form.merge').forEach(function (form) {
    form.addEventListener('submit', async function (event) {
      event.preventDefault();
      const select = form.querySelector('select');
      const from = form.dataset.speaker;
      const fromName = document.querySelector('.speaker-name[data-speaker-name="' + CSS.escape(from) + '"]');
      const intoName = select.options[select.selectedIndex].textContent;
      if (!window.confirm('Merge ' + (fromName ? fromName.textContent : from) + ' into ' + intoName +
        '? Their segments will be attributed to ' + intoName + '.')) return;
      try {
        await P.api('POST', base + '/speakers/merge', { from: from, into: select.value });
        const t = audio ? audio.currentTime : 0;
        history.replaceState(null, '', t > 0 ? '#t=' + t.toFixed(2) : window.location.pathname);
        window.location.reload();
      } catch (error) {
        P.announce('Could not merge: ' + error.message, 'error');
      }
    });
  });

  document.querySelectorAll('[data-suggestion]').forEach(function (button) {
    button.addEventListener('click', async function () {
      try {
        const choice = button.dataset.suggestion;
        applySpeakers(await P.api('PATCH', speakerURL(button.dataset.speaker), { suggestion: choice }));
        P.announce(choice === 'accept' ? 'Name kept.' : 'Suggestion removed.');
      } catch (error) {
        P.announce('Could not save: ' + error.message, 'error');
      }
    });
  });

  // ---- Processing controls -------------------------------------------------------------
  const cancelButton = document.getElementById('cancel-button');

  function showStatus(status) {
    P.applyStatus(head, status);
    if (cancelButton) cancelButton.hidden = !P.isActive(status.status);
  }

  const reprocess = document.getElementById('reprocess-form');
  if (reprocess) {
    reprocess.addEventListener('submit', async function (event) {
      event.preventDefault();
      const select = reprocess.querySelector('#from-stage');
      const modelSelect = reprocess.querySelector('#reprocess-model');
      const model = modelSelect && modelSelect.value ? modelSelect.value : null;
      const label = select.options[select.selectedIndex].textContent + (model ? ' with ' + model : '');
      if (!window.confirm('Re-process this meeting: ' + label + '? The current results stay until the new ones are ready.')) return;
      // A model applies to transcription: asking for one re-runs from there at least.
      const body = { from_stage: model && select.value !== 'normalize' ? 'transcribe' : select.value };
      if (model) body.model = model;
      try {
        let status;
        try {
          status = await P.api('POST', base + '/process-async', body);
        } catch (error) {
          if (error.code !== 'has_edits') throw error;
          if (!window.confirm(error.message.split(';')[0] + '. Re-processing from here drops them. Continue?')) return;
          body.discard_edits = true;
          status = await P.api('POST', base + '/process-async', body);
        }
        showStatus(status);
        P.announce('Re-processing started.');
      } catch (error) {
        P.announce('Could not re-process: ' + error.message, 'error');
      }
    });
  }

  if (cancelButton) {
    cancelButton.addEventListener('click', async function () {
      if (!window.confirm('Cancel processing of this meeting?')) return;
      try {
        showStatus(await P.api('POST', base + '/cancel'));
        P.announce('Processing cancelled.');
      } catch (error) {
        P.announce('Could not cancel: ' + error.message, 'error');
      }
    });
  }

  const deleteButton = document.getElementById('delete-button');
  if (deleteButton) {
    deleteButton.addEventListener('click', async function () {
      if (!window.confirm('Delete this meeting, its recording and transcript? This cannot be undone.')) return;
      try {
        await P.api('DELETE', base);
        window.location.href = P.base + '/';
      } catch (error) {
        P.announce('Could not delete: ' + error.message, 'error');
      }
    });
  }

  // Live status: a finished run shows its results (at once when nothing is shown yet).
  P.events(function (event) {
    if (event.meeting_id !== meetingId) return;
    const before = head.dataset.status;
    showStatus(event);
    if (P.isActive(before) && event.status === 'synced') {
      if (!transcript || (audio && audio.paused)) {
        window.location.reload();
      } else {
        P.announce('Processing finished. Reload the page to see the new results.');
      }
    }
  });
})();
