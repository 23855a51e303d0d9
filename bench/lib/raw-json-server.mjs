// Peer for ingest throughput: a bare node:http server that only runs JSON.parse on each body.
import { createServer } from 'node:http';

const port = Number(process.argv[2]);
createServer((req, res) => {
  if (req.method !== 'POST') {
    res.end('ok');
    return;
  }
  const chunks = [];
  req.on('data', (c) => chunks.push(c));
  req.on('end', () => {
    const body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    res.writeHead(202, { 'content-type': 'application/json' });
    res.end(`{"accepted":${body.samples.length},"rejected":0,"errors":[]}`);
  });
}).listen(port, '127.0.0.1');
