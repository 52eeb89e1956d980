// The baseline for `npm run bench`: a bare Node HTTP server that reads the body and returns a fixed JSON reply.
import http from 'node:http';
const body = JSON.stringify({ replies: [{ text: 'Dạ, đây là câu trả lời cố định.' }], topic: 'smalltalk', household: null, confidence: 1 });
http
  .createServer((req, res) => {
    req.resume();
    req.on('end', () => {
      res.writeHead(200, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(body) });
      res.end(body);
    });
  })
  .listen(Number(process.env.PORT ?? 3911), '127.0.0.1', () => console.log('listening'));
