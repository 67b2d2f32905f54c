// Run storage in IndexedDB: one object store "runs" keyed by run id, each
// value a run record (see docs/protocol.md, "Runs"), its final
// weights as a Uint8Array. Every method returns a Promise; when IndexedDB is
// missing or refused (private windows, some embedded browsers) the store
// keeps the runs in memory for the session and says so through `persistent`.
//
// Several tabs share the database. Each record carries a revision (rev),
// raised by every write: put refuses to write over a newer revision (a tab
// with a stale copy), edit changes some fields of the stored copy in one
// transaction.
// Each write is announced on a BroadcastChannel so other tabs re-read it.
'use strict';

(function (ns) {
  const DB_NAME = 'mnistplay';
  const DB_VERSION = 1;
  const STORE = 'runs';
  const CHANNEL = 'mnistplay-runs';

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
      this.channel = typeof BroadcastChannel === 'function' ? new BroadcastChannel(CHANNEL) : null;
    }

    // onChange calls fn({id, rev, deleted}) when another tab writes a record.
    onChange(fn) {
      if (this.channel) {
        this.channel.onmessage = (e) => fn(e.data);
      }
    }

    announce(id, rev, deleted) {
      if (this.channel && this.db) {
        this.channel.postMessage({ id: id, rev: rev, deleted: !!deleted });
      }
    }

    // rw runs fn(objectStore) in a readwrite transaction and resolves with
    // what fn's last request set into out.value once the transaction commits.
    rw(fn) {
      const tx = this.db.transaction(STORE, 'readwrite');
      const out = { value: undefined };
      fn(tx.objectStore(STORE), out);
      return new Promise((resolve, reject) => {
        tx.oncomplete = () => resolve(out.value);
        tx.onerror = () => reject(tx.error);
        tx.onabort = () => reject(tx.error || new Error('IndexedDB transaction aborted'));
      });
    }

    async get(id) {
      if (!this.db) {
        return this.mem.get(id) || null;
      }
      const tx = this.db.transaction(STORE, 'readonly');
      return (await req(tx.objectStore(STORE).get(id))) || null;
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

    // put writes run unless the stored copy is newer (a higher rev), and
    // raises run.rev. It resolves with null, or with the newer stored copy
    // it did not overwrite.
    async put(run) {
      if (!this.db) {
        run.rev = (run.rev || 0) + 1;
        this.mem.set(run.id, run);
        return null;
      }
      const newer = await this.rw((st, out) => {
        st.get(run.id).onsuccess = (e) => {
          const old = e.target.result;
          if (old && (old.rev || 0) > (run.rev || 0)) {
            out.value = old;
            return;
          }
          run.rev = (old ? old.rev || 0 : run.rev || 0) + 1;
          st.put(run);
        };
      });
      if (!newer) {
        this.announce(run.id, run.rev, false);
      }
      return newer || null;
    }

    // edit applies change(record) to the stored copy of run id and resolves
    // with the record written (null when there is none).
    async edit(id, change) {
      if (!this.db) {
        const r = this.mem.get(id);
        if (r) {
          change(r);
          r.rev = (r.rev || 0) + 1;
        }
        return r || null;
      }
      const rec = await this.rw((st, out) => {
        st.get(id).onsuccess = (e) => {
          const r = e.target.result;
          if (!r) {
            return;
          }
          change(r);
          r.rev = (r.rev || 0) + 1;
          st.put(r);
          out.value = r;
        };
      });
      if (rec) {
        this.announce(id, rec.rev, false);
      }
      return rec || null;
    }

    // add stores a new run (revision 1). Its name is already unique among
    // the runs every tab knows (RunList.begin); reading every stored run to
    // check again cost each new run a read of all the others' weights.
    async add(run) {
      run.rev = 1;
      if (!this.db) {
        this.mem.set(run.id, run);
        return run;
      }
      await this.rw((st) => st.put(run));
      this.announce(run.id, run.rev, false);
      return run;
    }

    async delete(id) {
      if (!this.db) {
        this.mem.delete(id);
        return;
      }
      await this.rw((st) => st.delete(id));
      this.announce(id, 0, true);
    }
  }

  ns.RunStore = RunStore;
})(window.mnistplay = window.mnistplay || {});
