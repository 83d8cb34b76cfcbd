// connectivity.js: is there a working path to the backend right now? (R1,
// R2, R4)
// navigator.onLine alone is not enough: a half-open link, a dead backend or
// a captive portal all look "online" to the OS. So the state is driven by
// three inputs: OS events, the outcome of real requests (a failure or a
// timeout means offline), and a timer: while offline a health probe every
// probe_ms decides when we are back; while online a heartbeat every
// heartbeat_ms catches a link where requests silently hang. Emits
// ('online'|'offline', reason) on every transition.

import { Emitter, realClock } from './util.js';

export class Connectivity extends Emitter {
  /**
   * @param {object} o
   * @param {Function} o.probe   async () -> true when GET /api/health answered ok
   * @param {object}   o.timers  {probe_ms, heartbeat_ms}
   * @param {Set}      o.bugs
   * @param {boolean}  o.initialOnline  navigator.onLine at launch
   */
  constructor({ probe, timers, bugs = new Set(), clock = realClock, initialOnline = true }) {
    super();
    this.probe = probe;
    this.timers = timers;
    this.bugs = bugs;
    this.clock = clock;
    this.state = initialOnline ? 'online' : 'offline';
    this.timer = null;
    this.probing = null;
    this.started = false;
  }

  get online() { return this.state === 'online'; }

  /** Only the OS signal counts (bug `banner-os-only`). */
  get osOnly() { return this.bugs.has('banner-os-only'); }

  /** Resolves at the next transition to online (immediately if online). */
  whenOnline() {
    if (this.online) return Promise.resolve();
    return new Promise((resolve) => {
      const off = this.subscribe((state) => { if (state === 'online') { off(); resolve(); } });
    });
  }

  start() { this.started = true; this.schedule(); }
  stop() { this.started = false; this.clock.clearTimeout(this.timer); this.timer = null; }

  set(state, reason) {
    if (state === this.state) return;
    this.state = state;
    this.schedule();
    this.emit(state, reason);
  }

  // ---- inputs -----------------------------------------------------------

  /** window 'offline' event */
  osOffline() { this.set('offline', 'os'); }

  /** window 'online' event: the OS thinks we are back; prove it. */
  osOnline() {
    if (this.osOnly || this.bugs.has('no-probe-resume')) { this.set('online', 'os'); return; }
    this.checkNow('os');
  }

  /** A request got no HTTP response (refused, reset, timed out). */
  requestFailed() {
    if (this.osOnly) return; // bug: only navigator.onLine is trusted
    this.set('offline', 'request');
  }

  /** Probe right now (after the OS 'online' event, on return to foreground). */
  checkNow(reason = 'check') {
    if (this.osOnly) return Promise.resolve(this.online);
    if (!this.online && this.bugs.has('no-probe-resume')) return Promise.resolve(false);
    return this.runProbe(reason);
  }

  // ---- timer --------------------------------------------------------------

  schedule() {
    this.clock.clearTimeout(this.timer);
    this.timer = null;
    if (!this.started || this.osOnly) return;
    if (this.online) {
      if (this.bugs.has('no-idle-detection')) return; // "the heartbeat costs battery: a failed request will tell"
      this.timer = this.clock.setTimeout(() => this.runProbe('heartbeat'), this.timers.heartbeat_ms);
    } else if (!this.bugs.has('no-probe-resume')) {
      this.timer = this.clock.setTimeout(() => this.runProbe('probe'), this.timers.probe_ms);
    }
  }

  runProbe(reason) {
    if (this.probing) return this.probing;
    this.probing = (async () => {
      let ok = false;
      try { ok = await this.probe(); } catch { ok = false; }
      this.probing = null;
      if (ok) {
        if (this.online) this.schedule();
        else this.set('online', reason);
      } else if (this.online) {
        this.set('offline', reason);
      } else {
        this.schedule();
      }
      return ok;
    })();
    return this.probing;
  }
}
