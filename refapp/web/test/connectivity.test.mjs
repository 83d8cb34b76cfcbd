import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Connectivity } from '../js/connectivity.js';
import { FakeClock } from './_fakes.mjs';

const TIMERS = { probe_ms: 500, heartbeat_ms: 2000 };

function make({ bugs = [], initialOnline = true } = {}) {
  const clock = new FakeClock();
  const link = { up: true, probes: 0 };
  const c = new Connectivity({
    probe: async () => { link.probes += 1; if (!link.up) throw new Error('down'); return true; },
    timers: TIMERS, bugs: new Set(bugs), clock, initialOnline,
  });
  const log = [];
  c.subscribe((state, reason) => log.push(`${state}:${reason}`));
  c.start();
  return { c, clock, link, log };
}

test('a failed request goes offline; the probe brings it back', async () => {
  const { c, clock, link, log } = make();
  link.up = false;
  c.requestFailed();
  assert.equal(c.state, 'offline');
  await clock.advance(TIMERS.probe_ms * 3);
  assert.equal(c.state, 'offline');
  link.up = true;
  await clock.advance(TIMERS.probe_ms);
  assert.equal(c.state, 'online');
  assert.deepEqual(log, ['offline:request', 'online:probe']);
});

test('the heartbeat detects a dead link while nothing else is sent', async () => {
  const { c, clock, link, log } = make();
  await clock.advance(TIMERS.heartbeat_ms);
  assert.equal(c.state, 'online');
  link.up = false;
  await clock.advance(TIMERS.heartbeat_ms);
  assert.equal(c.state, 'offline');
  assert.deepEqual(log, ['offline:heartbeat']);
});

test('the OS online event is verified by a probe before going online', async () => {
  const { c, link } = make();
  c.osOffline();
  link.up = false;
  await c.osOnline();
  assert.equal(c.state, 'offline', 'OS says online, but the backend is unreachable');
  link.up = true;
  await c.osOnline();
  assert.equal(c.state, 'online');
});

test('no-probe-resume bug: only the OS online event brings it back', async () => {
  const { c, clock, link } = make({ bugs: ['no-probe-resume'] });
  link.up = false;
  c.requestFailed();
  link.up = true;
  await clock.advance(TIMERS.probe_ms * 10);
  assert.equal(c.state, 'offline');
  assert.equal(link.probes, 0);
  c.osOnline();
  assert.equal(c.state, 'online');
});

test('banner-os-only bug: failed requests and a dead heartbeat are ignored', async () => {
  const { c, clock, link } = make({ bugs: ['banner-os-only'] });
  link.up = false;
  c.requestFailed();
  await clock.advance(TIMERS.heartbeat_ms * 3);
  assert.equal(c.state, 'online');
  c.osOffline();
  assert.equal(c.state, 'offline');
  c.osOnline();
  assert.equal(c.state, 'online');
});

test('flapping: only real transitions are emitted and one probe runs at a time', async () => {
  const { c, clock, link, log } = make({ initialOnline: false });
  for (let i = 0; i < 5; i++) { link.up = i % 2 === 0; await Promise.all([c.checkNow(), c.checkNow()]); }
  assert.equal(link.probes, 5);
  assert.deepEqual(log, ['online:check', 'offline:check', 'online:check', 'offline:check', 'online:check']);
  await clock.advance(1);
});

test('no-idle-detection bug: no heartbeat while online, so an idle dead link is never noticed', async () => {
  const { c, clock, link, log } = make({ bugs: ['no-idle-detection'] });
  link.up = false;
  await clock.advance(TIMERS.heartbeat_ms * 5);
  assert.equal(c.state, 'online', 'nothing was sent, so nothing failed');
  assert.equal(link.probes, 0);
  c.requestFailed(); // one of its own requests fails: then it notices, and probes until the link is back
  assert.equal(c.state, 'offline');
  link.up = true;
  await clock.advance(TIMERS.probe_ms);
  assert.deepEqual(log, ['offline:request', 'online:probe']);
});
