// todo-pouch backend: the library's own server (express-pouchdb, the CouchDB HTTP API on PouchDB) plus the
// app's static page. No sync logic here: replication is PouchDB's, end to end.
//
//   node server.js --port 0 [--host 127.0.0.1]
//
// prints one line "todo-pouch listening on http://HOST:PORT/" once it accepts connections.
'use strict';

const path = require('path');
const express = require('express');
const PouchDB = require('pouchdb').plugin(require('pouchdb-adapter-memory'));

function arg(name, fallback) {
  const i = process.argv.indexOf(name);
  return i >= 0 && i + 1 < process.argv.length ? process.argv[i + 1] : fallback;
}

const host = arg('--host', '127.0.0.1');
const port = Number(arg('--port', '0'));
const MemPouch = PouchDB.defaults({ adapter: 'memory' });

const app = express();
app.disable('x-powered-by');
app.get('/health', (req, res) => res.json({ ok: true }));
app.use('/vendor/pouchdb.min.js', express.static(require.resolve('pouchdb/dist/pouchdb.min.js')));
app.use('/db', require('express-pouchdb')(MemPouch, { mode: 'minimumForPouchDB', logPath: '/dev/null' }));
app.use('/', express.static(path.join(__dirname, 'web'), { etag: false, maxAge: 0 }));

const server = app.listen(port, host, () => {
  const a = server.address();
  // create the app's database up front, so the first client finds it
  new MemPouch('todos').info().then(() => {
    process.stdout.write(`todo-pouch listening on http://${a.address}:${a.port}/\n`);
  });
});

function stop() {
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
