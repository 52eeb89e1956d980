// Web chat client: sends questions to /api/chat and shows replies with their sources and buttons.
// All text is inserted with textContent (never innerHTML), so answers cannot inject markup.
(function () {
  'use strict';
  var log = document.getElementById('log');
  var form = document.getElementById('ask');
  var input = document.getElementById('q');
  var send = document.getElementById('send');
  var KEY = 'tlgn-conversation';
  // A random id (getRandomValues works on plain http too, unlike randomUUID).
  function newConversationId() {
    var bytes = new Uint8Array(16);
    crypto.getRandomValues(bytes);
    return 'web-' + Array.prototype.map.call(bytes, function (b) { return ('0' + b.toString(16)).slice(-2); }).join('');
  }
  var conversationId = localStorage.getItem(KEY);
  if (!conversationId) {
    conversationId = newConversationId();
    localStorage.setItem(KEY, conversationId);
  }

  function add(cls, text) {
    var div = document.createElement('div');
    div.className = 'msg ' + cls;
    div.textContent = text;
    log.appendChild(div);
    // A new answer is read from its first line: scroll it to the top of the screen (a question, to the bottom).
    div.scrollIntoView({ block: /\bbot\b/.test(cls) && !/typing/.test(cls) ? 'start' : 'end' });
    return div;
  }

  function formatDate(iso) {
    var m = /^(\d{4})-(\d{2})-(\d{2})/.exec(iso || '');
    return m ? m[3] + '/' + m[2] + '/' + m[1] : iso;
  }

  // "Căn cứ: Nghị định 78/2002/NĐ-CP; Quyết định 2553/QĐ-TTg." (figures: "Nguồn: … (số liệu tại …)").
  function compactSources(citations) {
    var names = [];
    citations.forEach(function (c) {
      var m = /^(.*?\d+\/(?:\d{4}\/)?[^\s,;()]+)/.exec(c.instrument.replace(/\s*\([^)]*\)/g, ''));
      var name = (m ? m[1] : c.instrument) + (c.asOf ? ' (số liệu tại ' + formatDate(c.asOf) + ')' : '');
      if (names.indexOf(name) < 0) names.push(name);
    });
    var figures = citations.some(function (c) { return c.asOf; });
    return (figures ? 'Nguồn: ' : 'Căn cứ: ') + names.slice(0, 4).join('; ') + (names.length > 4 ? '; …' : '') + '.';
  }

  function showReply(r) {
    var div = add('bot', r.text);
    if (r.image && r.image.base64) {
      var img = document.createElement('img');
      img.src = 'data:' + r.image.mime + ';base64,' + r.image.base64;
      img.alt = r.image.alt || '';
      div.appendChild(img);
    }
    if (r.citations && r.citations.length) {
      // One short line naming the instruments; the full references (articles, dates, links) fold out.
      var box = document.createElement('details');
      box.className = 'sources';
      var summary = document.createElement('summary');
      summary.textContent = compactSources(r.citations);
      box.appendChild(summary);
      r.citations.forEach(function (c) {
        var line = document.createElement('div');
        line.appendChild(document.createTextNode(c.instrument + (c.article ? ', ' + c.article : '') + (c.effectiveFrom ? ' (áp dụng từ ' + formatDate(c.effectiveFrom) + ')' : c.asOf ? ' (số liệu tại ' + formatDate(c.asOf) + ')' : '') + ' '));
        if (c.url && /^https?:\/\//.test(c.url)) {
          var a = document.createElement('a');
          a.href = c.url; a.target = '_blank'; a.rel = 'noopener noreferrer'; a.textContent = 'xem văn bản';
          line.appendChild(a);
        }
        box.appendChild(line);
      });
      div.appendChild(box);
    }
    if (r.buttons && r.buttons.length) {
      var box = document.createElement('div');
      box.className = 'buttons';
      r.buttons.forEach(function (b) {
        var btn = document.createElement('button');
        btn.type = 'button';
        btn.textContent = b.label;
        btn.addEventListener('click', function () { ask({ payload: b.payload }, b.label); });
        box.appendChild(btn);
      });
      div.appendChild(box);
    }
  }

  function ask(body, shown) {
    add('user', shown);
    var wait = add('bot typing', 'Đang trả lời…');
    send.disabled = true;
    body.conversationId = conversationId;
    fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(body) })
      .then(function (res) { return res.json().then(function (j) { return { ok: res.ok, j: j }; }); })
      .then(function (x) {
        wait.remove();
        if (!x.ok) { add('bot', x.j.error || 'Dạ, có lỗi, anh/chị thử lại giúp em.'); return; }
        x.j.replies.forEach(showReply);
      })
      .catch(function () { wait.remove(); add('bot', 'Dạ, không kết nối được máy chủ. Anh/chị thử lại sau ạ.'); })
      .finally(function () { send.disabled = false; input.focus(); });
  }

  form.addEventListener('submit', function (e) {
    e.preventDefault();
    var text = input.value.trim();
    if (!text) return;
    input.value = '';
    ask({ text: text }, text);
  });

  document.getElementById('erase').addEventListener('click', function () {
    fetch('/api/erase', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: conversationId }) })
      .then(function (res) { return res.json().then(function (j) { return { ok: res.ok, j: j }; }); })
      .then(function (x) {
        var j = x.j;
        // Keep the conversation (and its id) when the erase was refused, e.g. by a rate limit.
        if (!x.ok) { add('bot', j.error || 'Dạ, chưa xóa được, anh/chị thử lại giúp em.'); return; }
        log.textContent = '';
        localStorage.removeItem(KEY);
        conversationId = newConversationId();
        localStorage.setItem(KEY, conversationId);
        add('bot', j.message || 'Đã xóa.');
      })
      .catch(function () { add('bot', 'Dạ, không kết nối được máy chủ. Anh/chị thử lại sau ạ.'); });
  });

  fetch('/api/chat', { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ conversationId: conversationId, payload: 'menu' }) })
    .then(function (r) { return r.json(); })
    .then(function (j) { (j.replies || []).forEach(showReply); })
    .catch(function () {});
  input.focus();
})();
