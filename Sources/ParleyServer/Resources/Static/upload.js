// Uploads from the dashboard: drag-and-drop or the file picker; SHA-256 in the browser;
// the duplicate check before any byte is sent; then tus 1.0 (creation + PATCH in chunks)
// with progress, and automatic resumption from the server's offset after a failure.
(function () {
  'use strict';
  const P = window.Parley;
  const section = document.querySelector('section.upload');
  const dropzone = document.getElementById('dropzone');
  const input = document.getElementById('file-input');
  const list = document.getElementById('uploads');
  if (!section || !dropzone || !input || !list) return;

  const MAX_BYTES = Number(section.dataset.maxBytes || 0);
  // PATCH size; `data-chunk-bytes` on the section overrides it (tests use small chunks).
  function chunkSize() { return Number(section.dataset.chunkBytes) || 16 * 1024 * 1024; }
  const RETRIES = 6;
  const TUS = '1.0.0';

  function base64(text) {
    const bytes = new TextEncoder().encode(text);
    let binary = '';
    bytes.forEach(function (byte) { binary += String.fromCharCode(byte); });
    return btoa(binary);
  }

  function metadata(fields) {
    return Object.keys(fields).filter(function (key) { return fields[key] !== undefined && fields[key] !== ''; })
      .map(function (key) { return key + ' ' + base64(String(fields[key])); }).join(',');
  }

  function titleFrom(name) {
    const stem = name.replace(/\.[^.]+$/, '').replace(/[_]+/g, ' ').trim();
    return (stem || 'Untitled recording').slice(0, 300);
  }

  function formatBytes(bytes) {
    if (bytes < 1024) return bytes + ' B';
    if (bytes < 1024 * 1024) return (bytes / 1024).toFixed(0) + ' KB';
    if (bytes < 1024 * 1024 * 1024) return (bytes / 1024 / 1024).toFixed(1) + ' MB';
    return (bytes / 1024 / 1024 / 1024).toFixed(2) + ' GB';
  }

  /** One row in the uploads list, with a status line and a progress bar. */
  function UploadRow(file) {
    this.element = document.createElement('li');
    this.element.className = 'upload-row';
    const name = document.createElement('span');
    name.className = 'upload-name';
    name.textContent = file.name + ' (' + formatBytes(file.size) + ')';
    this.status = document.createElement('span');
    this.status.className = 'upload-status';
    this.status.setAttribute('role', 'status');
    this.bar = document.createElement('progress');
    this.bar.max = 100;
    this.bar.value = 0;
    this.bar.setAttribute('aria-label', 'Upload of ' + file.name);
    this.element.append(name, this.status, this.bar);
    list.prepend(this.element);
  }
  UploadRow.prototype.update = function (text, fraction) {
    this.status.textContent = text;
    if (fraction === undefined) this.bar.removeAttribute('value');
    else this.bar.value = Math.round(fraction * 100);
  };
  UploadRow.prototype.finish = function (kind, text, meetingId, linkText) {
    this.element.classList.add(kind);
    this.bar.remove();
    this.status.textContent = text + (meetingId ? ' ' : '');
    if (meetingId) {
      const link = document.createElement('a');
      link.href = P.base + '/meetings/' + encodeURIComponent(meetingId);
      link.textContent = linkText || 'Open it';
      link.className = kind === 'duplicate' ? 'duplicate-link' : 'meeting-link';
      this.status.appendChild(link);
    }
  };

  function target() {
    const select = document.getElementById('upload-target');
    return select && select.value ? { scope: 'workspace', workspace: select.value } : { scope: 'personal' };
  }

  function errorFrom(response, text) {
    let message = 'HTTP ' + response.status;
    try { message = JSON.parse(text).error.message || message; } catch (ignored) { /* not JSON */ }
    const error = new Error(message);
    error.status = response.status;
    return error;
  }

  function sleep(ms) { return new Promise(function (resolve) { window.setTimeout(resolve, ms); }); }

  /** PATCH one chunk with XMLHttpRequest (fetch cannot report upload progress). */
  function patch(url, blob, offset, onProgress) {
    return new Promise(function (resolve, reject) {
      const request = new XMLHttpRequest();
      request.open('PATCH', url);
      request.setRequestHeader('Tus-Resumable', TUS);
      request.setRequestHeader('Upload-Offset', String(offset));
      request.setRequestHeader('Content-Type', 'application/offset+octet-stream');
      request.setRequestHeader('X-Parley-CSRF', P.csrf);
      request.upload.onprogress = function (event) { onProgress(event.loaded); };
      request.onload = function () {
        if (request.status === 204) {
          resolve({ offset: Number(request.getResponseHeader('Upload-Offset')),
                    meetingId: request.getResponseHeader('Parley-Meeting-Id') });
        } else {
          const error = errorFrom({ status: request.status }, request.responseText);
          error.retry = request.status === 409 || request.status === 423 || request.status >= 500;
          reject(error);
        }
      };
      request.onerror = function () { const error = new Error('the connection dropped'); error.retry = true; reject(error); };
      request.send(blob);
    });
  }

  /** Where the server is: HEAD answers the offset it holds (and the meeting once complete). */
  async function serverOffset(url) {
    const response = await fetch(url, { method: 'HEAD', headers: { 'Tus-Resumable': TUS }, credentials: 'same-origin' });
    if (!response.ok) throw errorFrom(response, '');
    return { offset: Number(response.headers.get('Upload-Offset')), meetingId: response.headers.get('Parley-Meeting-Id') };
  }

  async function send(url, file, offset, row) {
    const chunk = chunkSize();
    let failures = 0;
    let meetingId = null;
    while (offset < file.size || (file.size === offset && !meetingId)) {
      const end = Math.min(file.size, offset + chunk);
      try {
        const start = offset;
        const result = await patch(url, file.slice(start, end), start, function (loaded) {
          row.update('Uploading… ' + Math.floor((start + loaded) / file.size * 100) + '%', (start + loaded) / file.size);
        });
        offset = result.offset;
        meetingId = result.meetingId || meetingId;
        failures = 0;
        if (offset >= file.size) break;
      } catch (error) {
        if (!error.retry || ++failures > RETRIES) throw error;
        row.update('Connection problem, resuming in ' + failures * 2 + ' s…');
        await sleep(failures * 2000);
        const state = await serverOffset(url).catch(function () { return null; });
        if (state) {
          offset = state.offset;
          meetingId = state.meetingId || meetingId;
        }
      }
    }
    if (!meetingId) meetingId = (await serverOffset(url)).meetingId;
    return meetingId;
  }

  async function upload(file) {
    const row = new UploadRow(file);
    try {
      if (file.size === 0) throw new Error('the file is empty');
      if (MAX_BYTES && file.size > MAX_BYTES) throw new Error('the file is larger than this server accepts (' + formatBytes(MAX_BYTES) + ')');
      row.update('Fingerprinting…', 0);
      const sha = await window.ParleySHA256.digestFile(file, function (fraction) { row.update('Fingerprinting…', fraction); });
      const check = await P.api('GET', P.base + '/api/v1/meetings/check/' + sha + '?sha256=' + sha);
      if (check && check.exists && check.meeting) {
        row.finish('duplicate', 'Already on the server as “' + check.meeting.title + '”.', check.meeting.id, 'Open the existing meeting');
        P.announce(file.name + ' is already on the server.');
        return;
      }
      const where = target();
      const response = await fetch(P.base + '/api/v1/uploads', {
        method: 'POST', credentials: 'same-origin',
        headers: {
          'Tus-Resumable': TUS, 'Upload-Length': String(file.size), 'X-Parley-CSRF': P.csrf,
          'Upload-Metadata': metadata({
            filename: file.name, title: titleFrom(file.name), sha256: sha, filetype: file.type || undefined,
            scope: where.scope, workspace: where.workspace,
          }),
        },
      });
      if (response.status !== 201) throw errorFrom(response, await response.text());
      if (response.headers.get('Parley-Duplicate') === 'true') {
        row.finish('duplicate', 'Already on the server.', response.headers.get('Parley-Meeting-Id'), 'Open the existing meeting');
        return;
      }
      const url = new URL(response.headers.get('Location'), window.location.href).pathname;
      const offset = Number(response.headers.get('Upload-Offset') || 0);
      if (offset > 0) row.update('Resuming at ' + Math.floor(offset / file.size * 100) + '%…', offset / file.size);
      const meetingId = await send(url, file, offset, row);
      row.finish('done', 'Uploaded; processing has started.', meetingId, 'Open');
      P.announce(file.name + ' uploaded.');
      if (meetingId && P.dashboard) P.dashboard.show(meetingId);
    } catch (error) {
      row.finish('failed', 'Upload failed: ' + error.message + '. Add the file again to resume.');
      P.announce('Upload of ' + file.name + ' failed: ' + error.message, 'error');
    }
  }

  async function uploadAll(files) {
    // One at a time: parallel uploads would only compete for the same connection.
    for (const file of Array.from(files)) await upload(file);
  }

  input.addEventListener('change', function () {
    const files = Array.from(input.files || []);
    input.value = '';
    uploadAll(files);
  });

  let depth = 0;
  document.addEventListener('dragenter', function (event) {
    if (!event.dataTransfer || Array.from(event.dataTransfer.types).indexOf('Files') < 0) return;
    depth++;
    dropzone.classList.add('dragging');
  });
  document.addEventListener('dragleave', function () {
    depth = Math.max(0, depth - 1);
    if (depth === 0) dropzone.classList.remove('dragging');
  });
  document.addEventListener('dragover', function (event) {
    if (event.dataTransfer && Array.from(event.dataTransfer.types).indexOf('Files') >= 0) {
      event.preventDefault();
      event.dataTransfer.dropEffect = 'copy';
    }
  });
  document.addEventListener('drop', function (event) {
    if (!event.dataTransfer || !event.dataTransfer.files.length) return;
    event.preventDefault();
    depth = 0;
    dropzone.classList.remove('dragging');
    uploadAll(event.dataTransfer.files);
  });
})();
