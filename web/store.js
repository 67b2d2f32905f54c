// Run storage in IndexedDB: one object store "runs" keyed by run id, each
// value a run record (see docs/protocol.md, "Runs"), its final
// weights as a Uint8Array. Every method returns a Promise; when IndexedDB is
// missing or refused (private windows, some embedded browsers) the store
// keeps the runs in memory for the session and says so through `persistent`.
'use strict';

(function (ns) {
  const DB_NAME = 'mnistplay';
  const DB_VERSION = 1;
  const STORE = 'runs';

  function req(r) {
    return new Promise((resolve, reject) => {
      r.onsuccess = () => resolve(r.result);
      r.onerror = () => reject(r.error || new Error('IndexedDB request failed'));
    });
  }

  class RunStore {
    constructor() {
      this.db = null;
      this.mem = new Map();
      this.persistent = false;
      this.why = '';
    }

    // open connects to the database; it never rejects (falls back to memory).
    async open() {
      if (typeof indexedDB === 'undefined') {
        this.why = 'this browser has no IndexedDB';
        return this;
      }
      try {
        this.db = await new Promise((resolve, reject) => {
          const r = indexedDB.open(DB_NAME, DB_VERSION);
          r.onupgradeneeded = () => {
            const db = r.result;
            if (!db.objectStoreNames.contains(STORE)) {
              db.createObjectStore(STORE, { keyPath: 'id' });
            }
          };
          r.onsuccess = () => resolve(r.result);
          r.onerror = () => reject(r.error || new Error('cannot open IndexedDB'));
          r.onblocked = () => reject(new Error('IndexedDB is blocked by another tab'));
        });
        this.persistent = true;
      } catch (e) {
        this.db = null;
        this.why = String(e && e.message ? e.message : e);
      }
      return this;
    }

    async all() {
      if (!this.db) {
        return [...this.mem.values()];
      }
      const tx = this.db.transaction(STORE, 'readonly');
      const runs = await req(tx.objectStore(STORE).getAll());
      runs.sort((a, b) => a.createdAt - b.createdAt);
      return runs;
    }

    async put(run) {
      if (!this.db) {
        this.mem.set(run.id, run);
        return;
      }
      const tx = this.db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).put(run);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
      });
    }

    async delete(id) {
      if (!this.db) {
        this.mem.delete(id);
        return;
      }
      const tx = this.db.transaction(STORE, 'readwrite');
      tx.objectStore(STORE).delete(id);
      await new Promise((resolve, reject) => {
        tx.oncomplete = resolve;
        tx.onerror = () => reject(tx.error);
      });
    }
  }

  ns.RunStore = RunStore;
})(window.mnistplay = window.mnistplay || {});
