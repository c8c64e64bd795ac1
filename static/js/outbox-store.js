// The outbox's storage: the records waiting on this tablet (IndexedDB), who entered
// them on which device, and the versions the server moved an entity on with them.
// The contract is in OFFLINE.md.

export const STORE = "outbox";

export const database = window.idb.openDB("branchdesk", 1, {
  upgrade(db) {
    db.createObjectStore(STORE, { keyPath: "id" }).createIndex("created_at", "created_at");
  },
});

export async function all() {
  return (await database).getAllFromIndex(STORE, "created_at");
}

// Who is working now: read from the header each time, as htmx-boosted navigation
// (a login, a logout) swaps the body without running this script again.
export const actor = () => {
  const header = document.querySelector("[data-actor]");
  return header ? { id: header.dataset.actor, name: header.dataset.actorName } : { id: "", name: "" };
};

export function deviceId() {
  let id = localStorage.getItem("branchdesk-device");
  if (!id) {
    id = crypto.randomUUID();
    localStorage.setItem("branchdesk-device", id);
  }
  return id;
}

// The server moved the entity on (its version) with this record: later records of
// the same entity were entered on the state before it, so they follow it.
const MOVES = "branchdesk-version-moves";

function moves() {
  try {
    return JSON.parse(localStorage.getItem(MOVES)) || {};
  } catch (error) {
    return {};
  }
}

// A page loaded before our own record landed still shows the old version: a form
// captured from it follows the record too.
export function followMoves(entity, fields) {
  const known = moves()[entity] || {};
  for (const pair of fields) {
    for (let hops = 0; pair[0] === "version" && known[pair[1]] && hops < 20; hops += 1) {
      pair[1] = known[pair[1]];
    }
  }
}

export async function carryVersion(db, record, version) {
  const old = record.fields.find(([name]) => name === "version");
  if (!old || version === undefined || version === null) return;
  const all = moves();
  const known = { ...(all[record.entity_key] || {}), [old[1]]: String(version) };
  delete all[record.entity_key];
  all[record.entity_key] = known; // the newest last; only the recent ones are kept
  const entities = Object.keys(all);
  entities.slice(0, Math.max(0, entities.length - 200)).forEach((key) => delete all[key]);
  localStorage.setItem(MOVES, JSON.stringify(all));
  for (const later of await db.getAllFromIndex(STORE, "created_at")) {
    if (later.entity_key !== record.entity_key || later.id === record.id) continue;
    let changed = false;
    for (const pair of later.fields) {
      if (pair[0] === "version" && pair[1] === old[1]) {
        pair[1] = String(version);
        changed = true;
      }
    }
    if (changed) await db.put(STORE, later);
  }
}
