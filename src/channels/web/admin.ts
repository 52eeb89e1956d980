import type { HttpApp, HttpResponse } from '../../http/http-app.ts';
import { jsonError } from '../../http/http-app.ts';
import { isAdminRequest } from './api.ts';
import type { LearningStore } from '../../learning/types.ts';
import { groupInbox } from '../../learning/group.ts';

const PAGE = `<!doctype html><html lang="vi"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Hộp thư câu hỏi - Trợ lý Giảm nghèo</title><link rel="stylesheet" href="/app.css"></head><body>
<header><h1>Hộp thư câu hỏi chưa trả lời tốt</h1><p>Chỉ dành cho cán bộ biên tập (cần mã quản trị).</p></header>
<main><form id="f"><input id="t" type="password" placeholder="Mã quản trị (ADMIN_TOKEN)" required><button id="send">Xem</button></form><div id="log"></div></main>
<script src="/admin.js" defer></script></body></html>`;

const SCRIPT = `(function(){var f=document.getElementById('f'),t=document.getElementById('t'),log=document.getElementById('log');
f.addEventListener('submit',function(e){e.preventDefault();fetch('/api/admin/inbox',{headers:{authorization:'Bearer '+t.value}})
.then(function(r){return r.json().then(function(j){return{ok:r.ok,j:j}})}).then(function(x){log.textContent='';
if(!x.ok){var d=document.createElement('div');d.className='msg bot';d.textContent=x.j.error;log.appendChild(d);return;}
x.j.groups.forEach(function(g){var d=document.createElement('div');d.className='msg bot';
d.textContent=g.count+' × "'+g.example+'"\\nLoại: '+JSON.stringify(g.kinds)+'\\nChủ đề đoán: '+JSON.stringify(g.topics)+'\\nGần nhất: '+g.lastAt;log.appendChild(d);});
if(!x.j.groups.length){var e2=document.createElement('div');e2.className='msg bot';e2.textContent='Hộp thư trống.';log.appendChild(e2);}});});})();`;

const CSP = "default-src 'self'; style-src 'self'; script-src 'self'; connect-src 'self'; frame-ancestors 'none'";

/** The editors' inbox: an HTML page and a JSON endpoint, both behind the ADMIN_TOKEN bearer token. */
export function registerAdminRoutes(app: HttpApp, learning: LearningStore | undefined, adminToken: string | undefined): void {
  app.route('GET', '/admin/inbox', () => ({
    status: 200,
    headers: { 'content-type': 'text/html; charset=utf-8', 'content-security-policy': CSP },
    body: PAGE,
  }));
  app.route('GET', '/admin.js', () => ({ status: 200, headers: { 'content-type': 'text/javascript; charset=utf-8' }, body: SCRIPT }));
  app.route('GET', '/api/admin/inbox', async (req): Promise<HttpResponse> => {
    if (!adminToken) return jsonError(403, 'Chức năng quản trị chưa được bật (thiếu ADMIN_TOKEN).');
    if (!isAdminRequest(req, adminToken)) return jsonError(401, 'Sai hoặc thiếu mã quản trị.');
    const groups = groupInbox((await learning?.inbox()) ?? []);
    return { status: 200, body: { groups } };
  });
}
